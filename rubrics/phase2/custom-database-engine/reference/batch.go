package kv

import "bytes"

// Batch collects writes that DB.Write applies atomically. The zero value
// is an empty batch.
type Batch struct {
	ops []op
}

// Put adds a put of key to the batch; it copies key and value.
func (b *Batch) Put(key, value []byte) {
	b.ops = append(b.ops, op{kind: opPut, key: bytes.Clone(key), value: bytes.Clone(value)})
}

// Delete adds a delete of key to the batch; it copies key.
func (b *Batch) Delete(key []byte) {
	b.ops = append(b.ops, op{kind: opDelete, key: bytes.Clone(key)})
}
