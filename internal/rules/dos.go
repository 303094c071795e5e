package rules

import (
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var dosRules = []*rule.Rule{}

var _ = model.Spoofing
