package rule

import (
	"reflect"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"

	"github.com/wardtm/ward/internal/model"
)

// This file evaluates custom rules: the CEL activation over a model's
// elements, cached per model, and the check that raises their threats.

// The variables CEL conditions see. Field names are the `cel` tags; the types
// are registered with CEL as native types, so a misspelt field is an error
// when the rule is loaded, not a silent false at run time.

type celAsset struct {
	ID              string   `cel:"id"`
	Name            string   `cel:"name"`
	Kind            string   `cel:"kind"`
	Classification  string   `cel:"classification"`
	Data            []string `cel:"data"`
	Confidentiality string   `cel:"confidentiality"`
	Integrity       string   `cel:"integrity"`
	Availability    string   `cel:"availability"`
	Sensitive       bool     `cel:"sensitive"`
	MustNotStore    bool     `cel:"must_not_store"`
}

type celComponent struct {
	ID               string            `cel:"id"`
	Name             string            `cel:"name"`
	Kind             string            `cel:"kind"`
	Boundary         string            `cel:"boundary"`
	Trust            string            `cel:"trust"`
	Tech             string            `cel:"tech"`
	Tags             []string          `cel:"tags"`
	Tools            []string          `cel:"tools"`
	Admin            bool              `cel:"admin"`
	Public           bool              `cel:"public"`
	Paid             bool              `cel:"paid"`
	ThirdParty       bool              `cel:"third_party"`
	New              bool              `cel:"new"`
	OutOfScope       bool              `cel:"out_of_scope"`
	IsStore          bool              `cel:"is_store"`
	IsProcess        bool              `cel:"is_process"`
	IsActor          bool              `cel:"is_actor"`
	Controls         map[string]string `cel:"controls"`
	EncryptionAtRest string            `cel:"encryption_at_rest"`
	Stores           []string          `cel:"stores"`
	Processes        []string          `cel:"processes"`
	Assets           []*celAsset       `cel:"assets"`
	InCount          int64             `cel:"in_count"`
	OutCount         int64             `cel:"out_count"`
}

type celFlow struct {
	ID               string            `cel:"id"`
	Name             string            `cel:"name"`
	From             *celComponent     `cel:"from"`
	To               *celComponent     `cel:"to"`
	Protocol         string            `cel:"protocol"`
	Port             int64             `cel:"port"`
	Authentication   string            `cel:"authentication"`
	Encryption       string            `cel:"encryption"`
	Carries          []*celAsset       `cel:"carries"`
	CarriesSensitive bool              `cel:"carries_sensitive"`
	OneWay           bool              `cel:"one_way"`
	CrossesBoundary  bool              `cel:"crosses_boundary"`
	Inbound          bool              `cel:"inbound"`
	Tags             []string          `cel:"tags"`
	Controls         map[string]string `cel:"controls"`
}

type celBoundary struct {
	ID         string   `cel:"id"`
	Name       string   `cel:"name"`
	Trust      string   `cel:"trust"`
	Parent     string   `cel:"parent"`
	Depth      int64    `cel:"depth"`
	Components []string `cel:"components"`
}

type celSystem struct {
	ID          string `cel:"id"`
	Name        string `cel:"name"`
	Criticality string `cel:"criticality"`
}

// celEnvs holds one CEL environment per element kind: a component rule sees
// `component` and `system`, a flow rule `flow` and `system`, and so on.
var celEnvs = sync.OnceValues(func() (map[On]*cel.Env, error) {
	base, err := cel.NewEnv(
		ext.NativeTypes(reflect.TypeFor[celComponent](), reflect.TypeFor[celFlow](), reflect.TypeFor[celAsset](),
			reflect.TypeFor[celBoundary](), reflect.TypeFor[celSystem](), ext.ParseStructTags(true)),
		ext.Strings(), ext.Sets(),
		cel.ParserExpressionSizeLimit(maxExprLen),
		cel.ParserRecursionLimit(64),
		cel.ExpressionNodeLimit(2000),
		cel.RegexProgramSizeLimit(1000),
		cel.ASTValidators(cel.ValidateComprehensionNestingLimit(3)),
		cel.Variable("system", cel.ObjectType("rule.celSystem")),
	)
	if err != nil {
		return nil, err
	}
	out := map[On]*cel.Env{}
	for on, typ := range map[On]string{OnComponent: "rule.celComponent", OnFlow: "rule.celFlow", OnBoundary: "rule.celBoundary", OnAsset: "rule.celAsset"} {
		e, err := base.Extend(cel.Variable(on.String(), cel.ObjectType(typ)))
		if err != nil {
			return nil, err
		}
		out[on] = e
	}
	return out, nil
})

// celFields lists the fields of each CEL variable, for did-you-mean hints.
var celFields = func() map[string][]string {
	out := map[string][]string{}
	for name, v := range map[string]any{"component": celComponent{}, "flow": celFlow{}, "asset": celAsset{}, "boundary": celBoundary{}, "system": celSystem{}} {
		t := reflect.TypeOf(v)
		for i := range t.NumField() {
			out[name] = append(out[name], t.Field(i).Tag.Get("cel"))
		}
	}
	return out
}()

// check is the Check of a custom rule.
func (c *custom) check(x *Ctx) {
	act := c.vars.activation(x.Model, x.Target)
	if act == nil || !c.eval(x, c.when, act) {
		return
	}
	if c.unless != nil && c.eval(x, c.unless, act) {
		return
	}
	gap := model.Yes
	if len(c.controls) > 0 || c.auth || c.enc {
		var facts []model.Tri
		switch {
		case x.Target.Component != nil:
			facts = append(facts, x.Lacks(x.Target.Component, c.controls...))
		case x.Target.Flow != nil:
			f := x.Target.Flow
			if len(c.controls) > 0 {
				facts = append(facts, x.FlowLacks(f, c.controls...))
			}
			if c.auth {
				facts = append(facts, x.Unauthenticated(f))
			}
			if c.enc {
				facts = append(facts, x.Unencrypted(f))
			}
		}
		gap = And(facts...)
	}
	if x.Reports(gap) {
		x.Report(gap, expand(c.title, x.Target), nil)
	}
}

func (c *custom) eval(x *Ctx, p cel.Program, act interpreter.Activation) bool {
	out, err := x.track.eval(x.rule, p, act)
	if err != nil {
		if !x.track.interrupted() { // an interrupted evaluation is not the rule's fault
			c.state.fail(x.Target.ID(), err)
		}
		return false
	}
	b, ok := out.Value().(bool)
	return ok && b
}

// varCache converts model elements to CEL values once per model, shared by
// every custom rule loaded together.
type varCache struct {
	mu     sync.Mutex
	models map[*model.Model]*modelVars
}

// modelVars holds one model's converted elements.
type modelVars struct {
	sys   ref.Val
	comps map[*model.Component]*celComponent
	acts  map[any]*activation
	adapt types.Adapter
}

// maxCachedModels bounds how many models' elements are kept converted, for
// rules shared by concurrent analyses.
const maxCachedModels = 4

// activation resolves the variables of one element.
type activation struct {
	name string
	val  ref.Val
	sys  ref.Val
}

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case a.name:
		return a.val, true
	case "system":
		return a.sys, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

func (c *varCache) activation(m *model.Model, t model.Target) *activation {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.models[m]
	if v == nil {
		if c.models == nil || len(c.models) >= maxCachedModels {
			c.models = map[*model.Model]*modelVars{}
		}
		envs, _ := celEnvs()
		v = &modelVars{comps: map[*model.Component]*celComponent{}, acts: map[any]*activation{}, adapt: envs[OnComponent].CELTypeAdapter()}
		var sys celSystem
		if m != nil {
			sys = celSystem{ID: m.System.ID, Name: m.System.Name, Criticality: m.System.Criticality.String()}
		}
		v.sys = v.adapt.NativeToValue(&sys)
		c.models[m] = v
	}
	var key any
	var name string
	var val any
	switch {
	case t.Component != nil:
		key, name = t.Component, "component"
	case t.Flow != nil:
		key, name = t.Flow, "flow"
	case t.Boundary != nil:
		key, name = t.Boundary, "boundary"
	case t.Asset != nil:
		key, name = t.Asset, "asset"
	default:
		return nil
	}
	if a := v.acts[key]; a != nil {
		return a
	}
	switch {
	case t.Component != nil:
		val = v.component(t.Component)
	case t.Flow != nil:
		val = v.flow(t.Flow)
	case t.Boundary != nil:
		val = celBoundaryOf(t.Boundary)
	case t.Asset != nil:
		val = celAssetOf(t.Asset)
	}
	a := &activation{name: name, val: v.adapt.NativeToValue(val), sys: v.sys}
	v.acts[key] = a
	return a
}

func (v *modelVars) component(c *model.Component) *celComponent {
	if c == nil {
		return &celComponent{Controls: controlsMap(nil)}
	}
	if cc := v.comps[c]; cc != nil {
		return cc
	}
	cc := &celComponent{ID: c.ID, Name: c.Label(), Kind: string(c.Kind), Trust: c.Trust().String(), Tech: c.Tech,
		Tags: nonNil(c.Tags), Tools: nonNil(c.Tools), Admin: c.Admin, Public: c.Public, Paid: c.Paid, ThirdParty: c.ThirdParty, New: c.New,
		OutOfScope: c.OutOfScope, IsStore: c.IsStore(), IsProcess: c.IsProcess(), IsActor: c.IsActor(), Controls: controlsMap(&c.Controls),
		EncryptionAtRest: orUnknown(string(c.EncryptionAtRest)), Stores: assetIDs(c.Stores), Processes: assetIDs(c.Processes),
		Assets: celAssets(c.Assets()), InCount: int64(len(c.In)), OutCount: int64(len(c.Out))}
	if c.Boundary != nil {
		cc.Boundary = c.Boundary.ID
	}
	v.comps[c] = cc
	return cc
}

func (v *modelVars) flow(f *model.Flow) *celFlow {
	cf := &celFlow{ID: f.ID, Protocol: f.Protocol, Port: int64(f.Port), Authentication: orUnknown(string(f.Authentication)),
		Encryption: orUnknown(string(f.Encryption)), Carries: celAssets(f.Carries), CarriesSensitive: f.CarriesSensitive(),
		OneWay: f.OneWay, Tags: nonNil(f.Tags), Controls: controlsMap(&f.Controls), From: v.component(f.From), To: v.component(f.To)}
	if f.From != nil && f.To != nil {
		cf.Name, cf.CrossesBoundary, cf.Inbound = f.Label(), f.CrossesBoundary(), f.Inbound()
	}
	return cf
}

func celBoundaryOf(b *model.Boundary) *celBoundary {
	cb := &celBoundary{ID: b.ID, Name: b.Label(), Trust: b.Trust.String(), Depth: int64(b.Depth()), Components: []string{}}
	if b.Parent != nil {
		cb.Parent = b.Parent.ID
	}
	for _, c := range b.Components {
		cb.Components = append(cb.Components, c.ID)
	}
	return cb
}

func celAssetOf(a *model.Asset) *celAsset {
	ca := &celAsset{ID: a.ID, Name: a.Label(), Kind: string(a.Kind), Classification: a.Classification.String(), Data: []string{},
		Confidentiality: a.Need(model.Confidentiality).String(), Integrity: a.Need(model.Integrity).String(),
		Availability: a.Need(model.Availability).String(), Sensitive: a.Sensitive(), MustNotStore: a.MustNotStore}
	for _, d := range a.Data {
		ca.Data = append(ca.Data, string(d))
	}
	return ca
}

func celAssets(as []*model.Asset) []*celAsset {
	out := make([]*celAsset, len(as))
	for i, a := range as {
		out[i] = celAssetOf(a)
	}
	return out
}

func assetIDs(as []*model.Asset) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func controlsMap(cs *model.Controls) map[string]string {
	m := make(map[string]string, model.NumControls)
	for i := range model.NumControls {
		t := model.Unknown
		if cs != nil {
			t = cs[i]
		}
		m[model.Control(i).Key()] = t.String()
	}
	return m
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
