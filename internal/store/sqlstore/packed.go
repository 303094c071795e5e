package sqlstore

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/s2"
)

// A version's stored analysis goes to the database compressed with S2
// (column result_s2, migration 00102): it is ≈ 256 KB of JSON for the
// shop example, most of what a version stores, and writing it was the
// largest part of a push's commit (issue 13). S2 compresses it about five
// times in ≈ 0.2 ms and decompresses it in ≈ 0.05 ms. Versions stored
// before keep the JSON in result (and result_s2 NULL).

// packBufs holds the buffers analyses are compressed into: the drivers
// copy a statement's arguments, so a buffer is reused once its INSERT ran.
var packBufs sync.Pool

// packResult compresses a stored analysis; done gives its buffer back
// once the statement that stores it has run. An empty analysis is stored
// as it is (nil).
func packResult(result []byte) (packed []byte, done func()) {
	if len(result) == 0 {
		return nil, func() {}
	}
	need := s2.MaxEncodedLen(len(result))
	if need < 0 {
		// Too large for S2 (over 4 GiB): far beyond the server's body
		// limits, stored as it is.
		return nil, func() {}
	}
	bp, _ := packBufs.Get().(*[]byte)
	if bp == nil || cap(*bp) < need {
		b := make([]byte, need)
		bp = &b
	}
	packed = s2.Encode((*bp)[:need], result)
	return packed, func() { packBufs.Put(bp) }
}

// unpackResult returns the stored analysis of a version row: its
// result_s2 decompressed when set, else its result as it is.
func unpackResult(result string, packed []byte) ([]byte, error) {
	if len(packed) == 0 {
		return []byte(result), nil
	}
	out, err := s2.Decode(nil, packed)
	if err != nil {
		return nil, fmt.Errorf("stored analysis: %w", err)
	}
	return out, nil
}
