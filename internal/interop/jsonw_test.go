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
		if err := WriteIndentedJSON(&got, d, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("document %d:\n got %s\nwant %s", i, got.Bytes(), want)
		}
	}
}

// TestWriteIndentedJSONLazy checks that a lazy list writes what the same
// list in the field writes, and that an empty one writes the field.
func TestWriteIndentedJSONLazy(t *testing.T) {
	items := make([]jsonwItem, 2*itemsPerWorker*4+3)
	for i := range items {
		items[i] = jsonwItem{Name: strconv.Itoa(i), HTML: "<i>"}
	}
	for _, n := range []int{0, 1, len(items)} {
		var want, got bytes.Buffer
		if err := WriteIndentedJSON(&want, &jsonwDoc{Omitted: items[:n], Items: items[:n]}, nil); err != nil {
			t.Fatal(err)
		}
		lazy := Lazy{N: n, Item: func(i int) any { return items[i] }}
		if err := WriteIndentedJSON(&got, &jsonwDoc{Items: items[:0]}, map[string]Lazy{"omitted": lazy, "items": lazy}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%d items:\n got %s\nwant %s", n, got.Bytes(), want.Bytes())
		}
	}
}
