package server

import (
	"testing"

	"github.com/wardtm/ward/internal/report"
)

// TestSelectFlowInferredCarries: the selected flow's card lists what Ward
// read the flow to carry (model.InferCarried) as inferred; a flow that
// states what it carries lists nothing.
func TestSelectFlowInferredCarries(t *testing.T) {
	res := &report.Result{Flows: []report.Flow{
		{ID: "api-db", From: "api", To: "db", Carries: []string{"orders"}, Inferred: []string{"carries"}},
		{ID: "api-log", From: "api", To: "log", Carries: []string{"events"}},
	}}
	el := selectElement(res, "api-db", 0)
	if el == nil || len(el.Inferred) != 1 || el.Inferred[0].Text != "carries orders" || el.Inferred[0].From != "the store it reaches" {
		t.Errorf("api-db: %+v", el)
	}
	if el := selectElement(res, "api-log", 0); el == nil || len(el.Inferred) != 0 {
		t.Errorf("api-log: %+v", el)
	}
}
