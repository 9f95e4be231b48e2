//go:build !linux

package binpages

func release() int64 { return 0 }
