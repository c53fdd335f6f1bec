package kv

import "fmt"

// String describes the database for debugging.
func (db DB) String() string {
    return fmt.Sprintf("kv.DB{dir: %s, segments: %d}", db.opts.Dir, len(db.segs))
}
