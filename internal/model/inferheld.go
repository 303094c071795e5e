package model

// The held-asset facts InferHeld reads from the flows (Component.Inferred).
// They take high bits so that other inferred facts can be added below.
const (
	// InferredStores: the datastore or object storage states no stores,
	// and what its flows carry and return was read as what it stores.
	InferredStores Inferred = 1 << 6
	// InferredProcesses: the process states no processes, and what its
	// flows carry and return was read as what it processes.
	InferredProcesses Inferred = 1 << 7
)

// InferHeld fills in the assets a sparse model leaves off its components,
// from the flows that reach them, when the model lists what its components
// process nowhere (no component states processes): its writer recorded
// where data goes on the flows only, so a component that states nothing
// is not read as holding nothing. Then a datastore or object storage that
// states no stores keeps what its flows carry and return ("a restore-test
// database written with backups holds backups"), and a service, function,
// LLM or agent processes what its flows carry and return. Queues are left
// alone: their messages pass through. A stated stores or processes list
// always wins, and a model that states processes anywhere is left as it
// is. It records what it inferred in c.Inferred.
func InferHeld(m *Model) {
	for _, c := range m.Components {
		if len(c.Processes) > 0 {
			return
		}
	}
	var carried map[*Component][]*Asset
	var seen map[heldPair]bool
	for _, f := range m.Flows {
		if f.From == nil || f.To == nil || len(f.Carries)+len(f.Returns) == 0 {
			continue
		}
		for _, c := range [2]*Component{f.From, f.To} {
			if !heldUnstated(c) {
				continue
			}
			if carried == nil {
				carried, seen = map[*Component][]*Asset{}, map[heldPair]bool{}
			}
			ls := [2][]*Asset{f.Carries, f.Returns}
			if keepsOnDevice(c) {
				// A device or app keeps what is brought to it.
				if c == f.From {
					ls[0] = nil
				} else {
					ls[1] = nil
				}
			}
			for _, l := range ls {
				for _, a := range l {
					if a.MustNotStore && keepsOnDevice(c) {
						continue // passed through, not a guess that it is kept
					}
					if k := (heldPair{c, a}); !seen[k] {
						seen[k] = true
						carried[c] = append(carried[c], a)
					}
				}
			}
		}
	}
	for _, c := range m.Components {
		as := carried[c]
		if len(as) == 0 {
			continue
		}
		if holdsData(c) || keepsOnDevice(c) {
			c.Stores, c.Inferred = as, c.Inferred|InferredStores
		} else {
			c.Processes, c.Inferred = as, c.Inferred|InferredProcesses
		}
	}
}

// heldUnstated reports whether c is a datastore or object storage that
// states no stores, or a process that states neither stores nor processes.
func heldUnstated(c *Component) bool {
	switch {
	case holdsData(c), keepsOnDevice(c):
		return len(c.Stores) == 0
	case c.IsProcess():
		return len(c.Stores) == 0 && len(c.Processes) == 0
	}
	return false
}

// holdsData reports whether the component keeps data at rest: a datastore
// or object storage. A queue's messages pass through it, and what they
// carry is on its flows already.
func holdsData(c *Component) bool {
	return c.Kind == KindDatastore || c.Kind == KindStorage
}

// keepsOnDevice reports whether c is a device or an installed app (a
// client whose tech or name says mobile, native or desktop, or whose name
// is an app other than a web app) of ours: what it sends and receives sits
// on it (offline queues, caches, local databases) where a lost phone or a
// stolen box gives it away. A browser client keeps nothing of note.
func keepsOnDevice(c *Component) bool {
	if c.ThirdParty || c.OutOfScope {
		return false
	}
	switch c.Kind {
	case KindDevice:
		return true
	case KindClient:
		ws := textWords(c.Tech, c.Name)
		if ws.any(installedWords) {
			return true
		}
		return headKind(c.Name) == KindClient && !ws.any(browserWords) && ws["app"]
	}
	return false
}

// installedWords name an app installed on a phone or computer,
// browserWords one that runs in a browser.
var (
	installedWords = []string{"ios", "android", "mobile", "native", "reactnative", "flutter", "swift", "kotlin", "desktop", "electron", "phone", "tablet"}
	browserWords   = []string{"web", "browser", "spa", "singlepage", "pwa"}
)

// heldPair is a component and an asset its flows carry.
type heldPair struct {
	c *Component
	a *Asset
}

// StatedStores is what the component stores as the model stated it: nil
// when InferHeld read its stores from its flows.
func (c *Component) StatedStores() []*Asset {
	if c.Inferred&InferredStores != 0 {
		return nil
	}
	return c.Stores
}

// StatedProcesses is what the component processes as the model stated it:
// nil when InferHeld read it from its flows.
func (c *Component) StatedProcesses() []*Asset {
	if c.Inferred&InferredProcesses != 0 {
		return nil
	}
	return c.Processes
}

// heldFacts names the component's held assets read from its flows
// ("stores", "processes").
func (c *Component) heldFacts() []string {
	var fs []string
	if c.Inferred&InferredStores != 0 {
		fs = append(fs, "stores")
	}
	if c.Inferred&InferredProcesses != 0 {
		fs = append(fs, "processes")
	}
	return fs
}
