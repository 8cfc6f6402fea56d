//go:build !linux

package store

func adviseHuge(b []byte) {}
