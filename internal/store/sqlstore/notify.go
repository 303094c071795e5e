package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifyChannel is the PostgreSQL channel live events travel on.
const notifyChannel = "ward_events"

// maxNotifyPayload is PostgreSQL's limit on a NOTIFY payload, less room for
// the envelope.
const maxNotifyPayload = 7900

// Broker fans live events out across every ward serve process on one
// PostgreSQL database with LISTEN/NOTIFY: Publish notifies the database;
// each process listens on one dedicated connection and delivers what it
// hears to its local subscribers, its own publications included.
type Broker struct {
	dsn    string
	log    *slog.Logger
	pub    *pgx.Conn
	pubMu  sync.Mutex
	mu     sync.Mutex
	subs   map[string]map[chan []byte]struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

type envelope struct {
	Topic   string          `json:"t"`
	Payload json.RawMessage `json:"p"`
}

// NewBroker connects to PostgreSQL and starts listening.
func NewBroker(ctx context.Context, dsn string, log *slog.Logger) (*Broker, error) {
	pub, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("events: connect: %w", err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	b := &Broker{dsn: dsn, log: log, pub: pub, subs: map[string]map[chan []byte]struct{}{}, cancel: cancel, done: make(chan struct{})}
	ready := make(chan error, 1)
	go b.listen(lctx, ready)
	select {
	case err := <-ready:
		if err != nil {
			cancel()
			pub.Close(ctx)
			return nil, err
		}
	case <-ctx.Done():
		cancel()
		return nil, ctx.Err()
	}
	return b, nil
}

// listen keeps a LISTEN connection open, reconnecting with backoff.
func (b *Broker) listen(ctx context.Context, ready chan<- error) {
	defer close(b.done)
	backoff := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, b.dsn)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+notifyChannel)
		}
		if first {
			ready <- err
			first = false
			if err != nil {
				return
			}
		}
		if err != nil {
			b.log.Warn("events: listen failed; retrying", "err", err, "in", backoff.String())
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				if ctx.Err() == nil {
					b.log.Warn("events: connection lost; reconnecting", "err", err)
				}
				break
			}
			var env envelope
			if err := json.Unmarshal([]byte(n.Payload), &env); err != nil {
				continue
			}
			b.deliver(env.Topic, env.Payload)
		}
		conn.Close(context.Background())
	}
}

func (b *Broker) deliver(topic string, payload []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[topic] {
		select {
		case ch <- payload:
		default: // a slow subscriber misses events rather than block
		}
	}
}

// Publish sends an event to every process's subscribers of topic.
func (b *Broker) Publish(ctx context.Context, topic string, payload []byte) error {
	if !json.Valid(payload) {
		return errors.New("events: payload must be JSON")
	}
	msg, err := json.Marshal(envelope{Topic: topic, Payload: payload})
	if err != nil {
		return err
	}
	if len(msg) > maxNotifyPayload {
		return fmt.Errorf("events: payload of %d bytes is too large for NOTIFY", len(msg))
	}
	b.pubMu.Lock()
	defer b.pubMu.Unlock()
	if b.pub.IsClosed() {
		c, err := pgx.Connect(ctx, b.dsn)
		if err != nil {
			return err
		}
		b.pub = c
	}
	_, err = b.pub.Exec(ctx, "SELECT pg_notify($1, $2)", notifyChannel, string(msg))
	return err
}

// Subscribe returns a channel of topic's events and a function to stop.
func (b *Broker) Subscribe(topic string) (<-chan []byte, func()) {
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

// Close stops listening.
func (b *Broker) Close() error {
	b.cancel()
	<-b.done
	b.pubMu.Lock()
	defer b.pubMu.Unlock()
	return b.pub.Close(context.Background())
}
