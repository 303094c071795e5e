package notify_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/notify"
	"github.com/wardtm/ward/internal/store"
)

// BenchmarkDeliverWebhooks measures the worker end to end on SQLite:
// claim, sign, POST to a local receiver, record — per delivery.
func BenchmarkDeliverWebhooks(b *testing.B) {
	for _, conc := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
			defer rcv.Close()
			st := openStore(b, filepath.Join(b.TempDir(), "ward.db"))
			if _, err := st.CreateTeam(b.Context(), store.Team{ID: "pay", Name: "Payments"}, "test"); err != nil {
				b.Fatal(err)
			}
			sealer, _ := notify.NewSealer("a-long-enough-notification-key")
			if _, err := st.CreateWebhook(b.Context(), store.Webhook{ID: "wh-1", TeamID: "pay", Name: "b", URL: rcv.URL, Secret: sealer.Seal(secret), Enabled: true}, "b"); err != nil {
				b.Fatal(err)
			}
			ev := notify.Event{Key: "k", Kind: notify.ReviewRequested, Team: "pay", Title: "Design review requested: checkout", Text: "Tier security-led"}
			payload, _ := json.Marshal(ev)
			ds := make([]store.Delivery, b.N)
			for i := range ds {
				ds[i] = store.Delivery{Key: fmt.Sprint("k", i), Channel: store.ChannelWebhook, Target: "wh-1", TeamID: "pay", Kind: string(ev.Kind), Payload: payload}
			}
			if _, err := st.EnqueueDeliveries(b.Context(), ds); err != nil {
				b.Fatal(err)
			}
			w := &notify.Worker{Store: st, Client: notify.Policy{AllowPrivate: true}.Client(5 * time.Second), Sealer: sealer, Concurrency: conc}
			b.ResetTimer()
			done := 0
			for done < b.N {
				n, err := w.RunOnce(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				done += n
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
