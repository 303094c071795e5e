package server

import (
	"net/http"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

// checkStatus refuses a status filter that no item can have, so that a
// typo (?status=opne) is an error a person can act on rather than an
// empty list.
func checkStatus[T ~string](v string, valid []T) error {
	if v == "" {
		return nil
	}
	names := make([]string, len(valid))
	for i, s := range valid {
		if string(s) == v {
			return nil
		}
		names[i] = string(s)
	}
	return errorf(http.StatusBadRequest, "invalid_query", "status must be one of %s", strings.Join(names, ", "))
}

var (
	findingStatuses    = append([]model.Status{model.StatusUnverified}, model.Statuses...)
	mitigationStatuses = model.MitigationStatuses
	assumptionStatuses = model.AssumptionStatuses
)
