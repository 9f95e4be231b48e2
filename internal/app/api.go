package app

import (
	"time"

	"github.com/vigil-med/vigil/internal/api"
)

// apiRoutes registers the REST API of every module. Modules add one line each.
func (a *App) apiRoutes(ap *api.API) {
	ap.FoundationRoutes(a.Jobs)
	ap.IncidentRoutes(func() time.Time { return a.Now() })
	ap.RegulationRoutes(a.Compliance)
	ap.InventoryRoutes()
	ap.DisclosureRoutes()
	ap.TrainingRoutes()
	ap.ProcurementRoutes(a.Procurement, func() time.Time { return a.Now() })
	ap.FeedsRoutes(a.Feeds, a.Jobs, a.Config.MaxUploadBytes)
	ap.FleetRoutes(a.Fleet, a.Jobs)
	ap.RiskRoutes(a.Risk)
	ap.ExchangeRoutes(a.Exchange, func() time.Time { return a.Now() })
}
