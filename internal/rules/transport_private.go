package rules

import (
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// transportTLSMode lists protocols whose usual clients and servers offer TLS
// as a connection option (a setting on the broker, database or channel), so
// that whether a hop uses it is a question of configuration, not of the
// protocol. Protocols not listed (hl7-mllp, dicom, raw printer ports, astm,
// fieldbus protocols) have no encryption of their own that a setting turns
// on: a hop over them stays a threat while its encryption is unknown.
var transportTLSMode = map[string]bool{
	"grpc": true, "http2": true, "h2": true, "graphql": true, "rest": true,
	"kafka": true, "amqp": true, "nats": true, "mqtt": true, "stomp": true, "mq": true,
	"sql": true, "postgres": true, "postgresql": true, "mysql": true, "mariadb": true, "mssql": true, "tds": true,
	"oracle": true, "jdbc": true, "mongodb": true, "redis": true, "cassandra": true, "cql": true, "elasticsearch": true,
}

// transportAsksPrivate asks, rather than raises, whether sensitive data
// (sensitive-data-in-cleartext) or other non-public data
// (unencrypted-boundary-crossing) travelling between two of the
// organisation's own zones (internal or restricted, the same zone or two)
// is encrypted while that is unknown,
// over a protocol with a TLS mode of its own or none named. Reading it needs
// a foothold on the organisation's network; the data's stores and entry
// points carry their own threats, and the hop's encryption is a setting the
// question settles. A stated gap (`encryption: none`), a hop from or to an
// internet or partner zone, a protocol without a TLS mode (transportTLSMode)
// and a model without assets keep the threat. It reports whether it asked.
func transportAsksPrivate(x *rule.Ctx, f *model.Flow, gap model.Tri) bool {
	if gap != model.Unknown || unknownData(x.Model) || !transportPrivate(f) {
		return false
	}
	if f.Protocol != "" && !transportTLSMode[f.Protocol] {
		return false
	}
	x.Ask()
	return true
}
