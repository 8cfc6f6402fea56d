package glue

// SetFileHook makes every crawl call f before it reads a file (nil: nothing).
func SetFileHook(f func()) { fileHook = f }
