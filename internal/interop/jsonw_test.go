package interop

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

type jsonwItem struct {
	Name  string         `json:"name"`
	HTML  string         `json:"html,omitempty"`
	Attrs map[string]any `json:"attributes,omitempty"`
	Empty []string       `json:"empty"`
}

type jsonwDoc struct {
	Version  string      `json:"version"`
	Skipped  string      `json:"-"`
	Omitted  []jsonwItem `json:"omitted,omitempty"`
	Nil      []jsonwItem `json:"nil"`
	Items    []jsonwItem `json:"items"`
	Ptr      *jsonwItem  `json:"ptr,omitempty"`
	Bytes    []byte      `json:"bytes"`
	NoTag    int
	Zero     int `json:"zero,omitempty"`
	Strings  []string
	private  int
	EmptyMap map[string]int `json:"empty_map"`
}

// TestWriteIndentedJSON compares the streamed document with
// json.MarshalIndent's, HTML escaping and omitempty included.
func TestWriteIndentedJSON(t *testing.T) {
	docs := []*jsonwDoc{
		{},
		{Version: "1 <&> \u2028", Skipped: "x", Items: []jsonwItem{{Name: "a", HTML: "<b>", Attrs: map[string]any{"z": 1, "a": []int{}}},
			{Empty: []string{}}}, Ptr: &jsonwItem{Name: "p"}, Bytes: []byte("bytes"), NoTag: 3, Strings: []string{"s", "t"},
			private: 1, EmptyMap: map[string]int{}},
	}
	// Enough items for several windows of parallel encoding.
	long := &jsonwDoc{}
	for i := range 3*itemsPerWorker*4 + 5 {
		long.Items = append(long.Items, jsonwItem{Name: strconv.Itoa(i), Attrs: map[string]any{"i": i}})
	}
	docs = append(docs, long)
	for i, d := range docs {
		want, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		var got bytes.Buffer
		if err := WriteIndentedJSON(&got, d); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("document %d:\n got %s\nwant %s", i, got.Bytes(), want)
		}
	}
}
