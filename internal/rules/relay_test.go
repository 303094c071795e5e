package rules

import (
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestRelayWords checks which names are read as relays when the model does
// not say: CDNs, WAFs, proxies and API gateways are; a gateway that owns what
// it handles (payment, SMS, SFTP, VPN, EHR) is not.
func TestRelayWords(t *testing.T) {
	for _, tc := range []struct {
		c    model.Component
		want bool
	}{
		{model.Component{ID: "cdn"}, true},
		{model.Component{ID: "edge", Tech: "Cloudflare Workers"}, true},
		{model.Component{ID: "api-gateway"}, true},
		{model.Component{ID: "gateway", Name: "API gateway"}, true},
		{model.Component{ID: "gw", Tech: "Kong"}, true},
		{model.Component{ID: "public-lb", Name: "Public load balancer"}, true},
		{model.Component{ID: "payment-gateway"}, false},
		{model.Component{ID: "sms-gateway", Name: "SMS gateway"}, false},
		{model.Component{ID: "sftp-gateway", Tech: "SFTPGo on EC2, behind an NLB"}, false},
		{model.Component{ID: "ehr-gateway"}, false},
		{model.Component{ID: "api", Tech: "Node.js behind the company ingress"}, false},
		{model.Component{ID: "payment-gateway", Relay: model.Yes}, true},
		{model.Component{ID: "cdn", Relay: model.No}, false},
	} {
		if got := Relay(&tc.c); got != tc.want {
			t.Errorf("Relay(%s %q %q) = %v, want %v", tc.c.ID, tc.c.Name, tc.c.Tech, got, tc.want)
		}
	}
}
