// The YAML shapes of a Threagile model file.

package threagile

import (
	"go.yaml.in/yaml/v4"
)

type model struct {
	Title               string `yaml:"title"`
	Date                string `yaml:"date"`
	BusinessCriticality string `yaml:"business_criticality"`
	Author              struct {
		Name string `yaml:"name"`
	} `yaml:"author"`
	ManagementSummary string `yaml:"management_summary_comment"`
	BusinessOverview  struct {
		Description string `yaml:"description"`
	} `yaml:"business_overview"`
	DataAssets               yaml.Node `yaml:"data_assets"`
	TechnicalAssets          yaml.Node `yaml:"technical_assets"`
	TrustBoundaries          yaml.Node `yaml:"trust_boundaries"`
	SharedRuntimes           yaml.Node `yaml:"shared_runtimes"`
	RiskTracking             yaml.Node `yaml:"risk_tracking"`
	IndividualRiskCategories yaml.Node `yaml:"individual_risk_categories"`
	AbuseCases               yaml.Node `yaml:"abuse_cases"`
	SecurityRequirements     yaml.Node `yaml:"security_requirements"`
	Questions                yaml.Node `yaml:"questions"`
}

type dataAsset struct {
	ID              string `yaml:"id"`
	Description     string `yaml:"description"`
	Usage           string `yaml:"usage"`
	Quantity        string `yaml:"quantity"`
	Confidentiality string `yaml:"confidentiality"`
	Integrity       string `yaml:"integrity"`
	Availability    string `yaml:"availability"`
	Owner           string `yaml:"owner"`
	Origin          string `yaml:"origin"`
}

type techAsset struct {
	ID                  string    `yaml:"id"`
	Description         string    `yaml:"description"`
	Type                string    `yaml:"type"`
	Usage               string    `yaml:"usage"`
	UsedAsClientByHuman bool      `yaml:"used_as_client_by_human"`
	OutOfScope          bool      `yaml:"out_of_scope"`
	JustificationOOS    string    `yaml:"justification_out_of_scope"`
	Technology          string    `yaml:"technology"`
	Tags                []string  `yaml:"tags"`
	Internet            bool      `yaml:"internet"`
	Machine             string    `yaml:"machine"`
	Encryption          string    `yaml:"encryption"`
	Owner               string    `yaml:"owner"`
	MultiTenant         bool      `yaml:"multi_tenant"`
	Redundant           bool      `yaml:"redundant"`
	CustomDeveloped     bool      `yaml:"custom_developed_parts"`
	Processed           []string  `yaml:"data_assets_processed"`
	Stored              []string  `yaml:"data_assets_stored"`
	Links               yaml.Node `yaml:"communication_links"`
}

type link struct {
	Target         string   `yaml:"target"`
	Description    string   `yaml:"description"`
	Protocol       string   `yaml:"protocol"`
	Authentication string   `yaml:"authentication"`
	Authorization  string   `yaml:"authorization"`
	Tags           []string `yaml:"tags"`
	VPN            bool     `yaml:"vpn"`
	IPFiltered     bool     `yaml:"ip_filtered"`
	Readonly       bool     `yaml:"readonly"`
	Usage          string   `yaml:"usage"`
	Sent           []string `yaml:"data_assets_sent"`
	Received       []string `yaml:"data_assets_received"`
}

type boundary struct {
	ID          string   `yaml:"id"`
	Description string   `yaml:"description"`
	Type        string   `yaml:"type"`
	Inside      []string `yaml:"technical_assets_inside"`
	Nested      []string `yaml:"trust_boundaries_nested"`
}

type runtime struct {
	ID      string   `yaml:"id"`
	Running []string `yaml:"technical_assets_running"`
}

type tracking struct {
	Status        string `yaml:"status"`
	Justification string `yaml:"justification"`
	Ticket        string `yaml:"ticket"`
	Date          string `yaml:"date"`
	CheckedBy     string `yaml:"checked_by"`
}

type riskCategory struct {
	ID          string    `yaml:"id"`
	Description string    `yaml:"description"`
	Mitigation  string    `yaml:"mitigation"`
	STRIDE      string    `yaml:"stride"`
	Risks       yaml.Node `yaml:"risks_identified"`
}

type risk struct {
	Severity          string   `yaml:"severity"`
	Likelihood        string   `yaml:"exploitation_likelihood"`
	Impact            string   `yaml:"exploitation_impact"`
	TechnicalAsset    string   `yaml:"most_relevant_technical_asset"`
	CommunicationLink string   `yaml:"most_relevant_communication_link"`
	BreachAssets      []string `yaml:"data_breach_technical_assets"`
}

// Import converts a Threagile model into a Ward model. A model split with
// includes: needs its files: use ImportFrom.
