package http

import "testing"

func TestHasNULEscape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{`{"name":"a\u0000b"}`, true},
		{`{"name":"\u0000"}`, true},
		{`{"name":"a\\u0000b"}`, false},
		{`{"name":"a\\\u0000b"}`, true},
		{`{"name":"plain"}`, false},
		{`{"name":"\u00001"}`, true},
	}
	for _, tt := range tests {
		if got := hasNULEscape([]byte(tt.in)); got != tt.want {
			t.Errorf("hasNULEscape(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
