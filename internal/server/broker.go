package server

import (
	"context"
	"sync"
)

// localBroker fans events out inside one process.
type localBroker struct {
	mu   sync.Mutex
	subs map[string]map[chan []byte]struct{}
}

func newLocalBroker() *localBroker { return &localBroker{subs: map[string]map[chan []byte]struct{}{}} }

// Publish delivers payload to every subscriber of topic; slow subscribers
// miss events rather than block publishers.
func (b *localBroker) Publish(_ context.Context, topic string, payload []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[topic] {
		select {
		case ch <- payload:
		default:
		}
	}
	return nil
}

// Subscribe returns a channel of the topic's events and a function to stop.
func (b *localBroker) Subscribe(topic string) (<-chan []byte, func()) {
	ch := make(chan []byte, 64)
	b.mu.Lock()
	if b.subs[topic] == nil {
		b.subs[topic] = map[chan []byte]struct{}{}
	}
	b.subs[topic][ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs[topic], ch)
		b.mu.Unlock()
	}
}
