package spec

import (
	"strings"
	"testing"
)

func TestProtocol(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https", "https"}, {"HTTPS", "https"}, {"Kafka", "kafka"}, {"my-bus", "my-bus"}, {"My-Bus", "my-bus"}, {"", ""},
	} {
		if got := protocol(tc.in); got != tc.want {
			t.Errorf("protocol(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for k, v := range protocolNames {
		if k != v || k != strings.ToLower(k) {
			t.Errorf("protocolNames[%q] = %q, want the name itself in lower case", k, v)
		}
	}
}
