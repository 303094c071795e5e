package rules

import "github.com/wardtm/ward/internal/model"

// credentialSource returns, for a component of ours that two or more other
// components get credentials from (credential assets on the answers to
// their calls: a secrets store, an access broker), the credentials they
// get and those components. Whoever signs in with them stops when it is
// down: its outage is everyone's.
func credentialSource(c *model.Component) ([]*model.Asset, []*model.Component) {
	if c.ThirdParty || c.OutOfScope || !(c.IsProcess() || c.IsStore()) {
		return nil, nil
	}
	var creds []*model.Asset
	var users []*model.Component
	for _, f := range c.In {
		got := ofKind(f.Returns, model.AssetCredential)
		if len(got) == 0 || f.From.Kind == model.KindPerson {
			continue
		}
		for _, a := range got {
			if !containsAsset(creds, a) {
				creds = append(creds, a)
			}
		}
		if !containsComp(users, f.From) {
			users = append(users, f.From)
		}
	}
	if len(users) < 1 {
		return nil, nil
	}
	return creds, users
}
