package kv

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"os"
	"strings"
)

// journal is a text write-ahead log: one line per batch,
// "<crc> <n> <op>:<hexkey>:<hexvalue> ...".
type journal struct {
	f     *os.File
	fsync bool
}

func openJournal(path string, fsync bool, replay func(kvPair)) (*journal, error) {
	if data, err := os.ReadFile(path); err == nil {
		lines := strings.Split(string(data), "\n")
		for _, line := range lines {
			pairs, ok := parseLine(line)
			if !ok {
				break
			}
			for _, p := range pairs {
				replay(p)
			}
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return &journal{f: f, fsync: fsync}, nil
}

func parseLine(line string) ([]kvPair, bool) {
	var sum uint32
	var rest string
	if _, err := fmt.Sscanf(line, "%08x", &sum); err != nil || len(line) < 9 {
		return nil, false
	}
	rest = line[9:]
	if crc32.ChecksumIEEE([]byte(rest)) != sum {
		return nil, false
	}
	var out []kvPair
	for _, field := range strings.Fields(rest)[1:] {
		parts := strings.Split(field, ":")
		if len(parts) != 3 {
			return nil, false
		}
		k, err1 := hex.DecodeString(parts[1])
		v, err2 := hex.DecodeString(parts[2])
		if err1 != nil || err2 != nil {
			return nil, false
		}
		out = append(out, kvPair{K: k, V: v, Tomb: parts[0] == "D"})
	}
	return out, true
}

func (j *journal) write(pairs []kvPair) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d", len(pairs))
	for _, p := range pairs {
		op := "P"
		if p.Tomb {
			op = "D"
		}
		fmt.Fprintf(&sb, " %s:%x:%x", op, p.K, p.V)
	}
	body := sb.String()
	w := bufio.NewWriter(j.f)
	fmt.Fprintf(w, "%08x %s\n", crc32.ChecksumIEEE([]byte(body)), body)
	if err := w.Flush(); err != nil {
		return err
	}
	if j.fsync {
		return j.f.Sync()
	}
	return nil
}

func (j *journal) truncate() error { return j.f.Truncate(0) }

func (j *journal) close() error { return j.f.Close() }
