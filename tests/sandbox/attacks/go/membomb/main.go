// Cases 3 and 4: a 10 GiB heap. Built normally and with -race; both must end
// with the memory verdict, not a runtime allocation failure.
package main

import "fmt"

var keep [][]byte

func main() {
	const chunk = 16 << 20
	for total := 0; total < 10<<30; total += chunk {
		block := make([]byte, chunk)
		for i := 0; i < len(block); i += 4096 {
			block[i] = 1
		}
		keep = append(keep, block)
		if total%(64<<20) == 0 {
			fmt.Printf("probe=alloc mib=%d\n", total>>20)
		}
	}
	fmt.Println("probe=alloc result=OK")
}
