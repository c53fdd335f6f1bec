package chat_test

import (
	"testing"

	"example.com/realtime-chat-server/ws"
)

// Your own tests go here (they are not graded; the hidden tests replace
// them). Start with the vector of RFC 6455, section 1.3.
func TestAcceptKey(t *testing.T) {
	if got, want := ws.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Errorf("AcceptKey = %q, want %q", got, want)
	}
}
