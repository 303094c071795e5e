package spec

import "strings"

// protocol returns a flow's protocol as the model holds it: lower case,
// and for a common protocol the one string of protocolNames rather than
// the file's bytes. Rules and the risk assessment look every flow's
// protocol up (cleartext or not, short-range radio or not): a few shared
// strings stay in cache, 50,000 copies spread over a file of megabytes do
// not. The value is the same either way.
func protocol(s string) string {
	s = strings.ToLower(s)
	if p, ok := protocolNames[s]; ok {
		return p
	}
	return s
}

// protocolNames are common protocols, each mapped to itself.
var protocolNames = func() map[string]string {
	names := strings.Fields(`
		http https http2 http3 grpc grpcs ws wss tls mtls tcp udp quic dtls
		ssh sftp scp ftp ftps tftp telnet rsh rlogin rexec snmp syslog
		smtp smtps imap imaps pop3 pop3s ldap ldaps
		sql postgres postgresql mysql redis rediss mongodb jdbc odbc
		amqp amqps mqtt mqtts kafka nats
		ipsec wireguard vpn dns
		ble bluetooth bluetooth-le nfc rfid zigbee zwave z-wave uwb lora lorawan
		sqs sns s3 dynamodb kinesis eventbridge pubsub
		ipc unix local loopback memory in-process`)
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = n
	}
	return m
}()
