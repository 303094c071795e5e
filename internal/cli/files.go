package cli

import (
	"errors"
	"io/fs"
	"os"
)

// checkRegular refuses, before it is opened, a file that is not a regular
// file: opening a named pipe blocks until a writer comes (deaf to Ctrl-C),
// a device may never end, and a directory is a mistake. A missing file is
// left to the open that follows, for its usual message.
func checkRegular(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if fi.Mode().IsRegular() {
		return nil
	}
	kind := "a special file"
	switch m := fi.Mode(); {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return usagef("%s is %s, not a regular file", path, kind)
}
