package facts

import . "time"

func dotted() {
	Sleep(Second)
	f := Sleep
	f(1)
	helper()
}
