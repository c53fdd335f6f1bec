// Runs Dolos (@dodona/dolos-lib, language "go") on one exercise of a
// similarity bench corpus and writes OUT/pairs.csv in the format of
// `gograder similarity`:
//
//   a,b,a_in_b,b_in_a,similarity,longest_match,suspicious
//
// Usage: node run.js CORPUS_EXERCISE_DIR STARTER_DIR OUT_DIR [THRESHOLD]
//
// Each student (a folder of CORPUS_EXERCISE_DIR) is one file for Dolos: its
// non-test .go files in path order, concatenated. The starter, made the same
// way, is Dolos's ignored (template) file. similarity is Dolos's pair
// similarity (covered k-grams of both sides over their total, the
// template's left out), a_in_b and b_in_a the covered share of each side,
// longest_match the longest fragment in k-grams. Pairs Dolos does not report share no fingerprint.
import { Dolos } from "@dodona/dolos-lib";
import { File } from "@dodona/dolos-core";
import fs from "node:fs";
import path from "node:path";

function goSources(dir) {
  const found = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(child);
      } else if (entry.name.endsWith(".go") && !entry.name.endsWith("_test.go")) {
        found.push(child);
      }
    }
  };
  walk("");
  found.sort();
  return found.map((rel) => fs.readFileSync(path.join(dir, rel), "utf8")).join("\n");
}

async function main() {
  const [corpus, starter, out, thresholdArg] = process.argv.slice(2);
  if (!corpus || !starter || !out) {
    console.error("usage: node run.js CORPUS_EXERCISE_DIR STARTER_DIR OUT_DIR [THRESHOLD]");
    process.exit(2);
  }
  const threshold = thresholdArg === undefined ? 0.5 : Number(thresholdArg);
  const students = fs.readdirSync(corpus, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files = students.map((s) => new File(`${s}.go`, goSources(path.join(corpus, s))));
  const template = new File("starter.go", goSources(starter));
  const dolos = new Dolos({ language: "go" });
  const report = await dolos.analyze(files, "bench", template);
  const rows = ["a,b,a_in_b,b_in_a,similarity,longest_match,suspicious"];
  const id = (f) => path.basename(f.path, ".go");
  for (const pair of report.allPairs()) {
    const [left, right] = [pair.leftFile, pair.rightFile];
    const share = (covered, total, ignored) => (total - ignored > 0 ? covered / (total - ignored) : 0);
    const aInB = share(pair.leftCovered, pair.leftTotal, pair.leftIgnored);
    const bInA = share(pair.rightCovered, pair.rightTotal, pair.rightIgnored);
    rows.push([id(left), id(right), aInB.toFixed(4), bInA.toFixed(4), pair.similarity.toFixed(4),
      pair.longest, pair.similarity >= threshold ? 1 : 0].join(","));
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "pairs.csv"), rows.join("\n") + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
