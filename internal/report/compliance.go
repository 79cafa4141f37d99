package report

// pciElements are PCI DSS 10.2.2's elements and where the exporter writes
// them (exporter/auditlogexporter/README.md), in aggregator.pci order.
var pciElements = [6][2]string{
	{"user identification", "actor.user.uid, api.token.uid"},
	{"type of event", "class_uid, activity_id/activity_name, api.operation"},
	{"date and time", "time, metadata.logged_time"},
	{"success and failure indication", "status_id, status_detail, status_code"},
	{"origination of event", "src_endpoint.ip"},
	{"identity or name of affected data, system component, resource, or service", "api.operation, api.service.name, http_request.url.path"},
}

func (a *aggregator) compliance() []ComplianceRow {
	rows := make([]ComplianceRow, 0, len(pciElements))
	for i, e := range pciElements {
		rows = append(rows, ComplianceRow{Element: e[0], Field: e[1], Present: a.pci[i], Of: a.totals.APIActivity,
			Complete: a.pci[i] == a.totals.APIActivity})
	}
	return rows
}
