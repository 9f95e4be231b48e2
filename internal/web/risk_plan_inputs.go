package web

import (
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// The plan's inputs besides the budget: devices that must stay, models replaced together, and
// end-of-support records of products and components. Each form redirects back with a message; a
// refused input names the field in the message.

func riskDateField(c *Ctx, name string) (*time.Time, error) {
	v := c.Form(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, domain.Invalid(name, "give a date as YYYY-MM-DD")
	}
	return &t, nil
}

func (s *Server) riskBack(c *Ctx, back string, err error, ok string) error {
	if err != nil {
		if code := domain.ErrorCode(err); code != domain.EInvalid && code != domain.EConflict && code != domain.ENotFound {
			return err
		}
		return c.Redirect(back, "error", domain.ErrorMessage(err))
	}
	return c.Redirect(back, "ok", ok)
}

func (s *Server) riskKeepCreate(c *Ctx) error {
	ctx := c.R.Context()
	k := domain.RiskKeep{Reason: c.Form("reason")}
	a, err := c.Scope.AssetByTag(ctx, c.Form("asset"))
	if err != nil {
		return s.riskBack(c, "/risk/plan", domain.Invalid("asset", "no device with the asset tag %q", c.Form("asset")), "")
	}
	k.AssetID = a.ID
	if k.Until, err = riskDateField(c, "until"); err != nil {
		return s.riskBack(c, "/risk/plan", err, "")
	}
	err = c.Scope.Write(ctx, func(tx *store.Tx) error { return tx.SaveRiskKeep(ctx, &k) })
	return s.riskBack(c, "/risk/plan", err, a.Name()+" must stay; the plan leaves it out.")
}

func (s *Server) riskKeepDelete(c *Ctx) error {
	ctx := c.R.Context()
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	err = c.Scope.Write(ctx, func(tx *store.Tx) error { return tx.DeleteRiskKeep(ctx, id) })
	return s.riskBack(c, "/risk/plan", err, "The device may be replaced again.")
}

func (s *Server) riskGroupCreate(c *Ctx) error {
	ctx := c.R.Context()
	if err := c.R.ParseForm(); err != nil {
		return err
	}
	g := domain.RiskGroup{Name: c.Form("name"), Reason: c.Form("reason")}
	for _, v := range c.R.PostForm["product_id"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			g.ProductIDs = append(g.ProductIDs, id)
		}
	}
	err := c.Scope.Write(ctx, func(tx *store.Tx) error { return tx.CreateRiskGroup(ctx, &g) })
	return s.riskBack(c, "/risk/plan", err, "The models of "+g.Name+" are now replaced in the same year.")
}

func (s *Server) riskGroupDelete(c *Ctx) error {
	ctx := c.R.Context()
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	err = c.Scope.Write(ctx, func(tx *store.Tx) error { return tx.DeleteRiskGroup(ctx, id) })
	return s.riskBack(c, "/risk/plan", err, "Group removed.")
}

func (s *Server) riskSupportCreate(c *Ctx) error {
	ctx := c.R.Context()
	rs := domain.RiskSupport{Component: c.Form("component"), Source: c.Form("source"), Reference: c.Form("reference")}
	rs.ProductID, _ = strconv.ParseInt(c.Form("product_id"), 10, 64)
	t, err := riskDateField(c, "end_of_support")
	if err != nil {
		return s.riskBack(c, "/risk/legacy", err, "")
	}
	if t != nil {
		rs.EndOfSupport = *t
	}
	err = c.Scope.Write(ctx, func(tx *store.Tx) error { return tx.SaveRiskSupport(ctx, &rs) })
	return s.riskBack(c, "/risk/legacy", err, "End of support recorded.")
}

func (s *Server) riskSupportDelete(c *Ctx) error {
	ctx := c.R.Context()
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	err = c.Scope.Write(ctx, func(tx *store.Tx) error { return tx.DeleteRiskSupport(ctx, id) })
	return s.riskBack(c, "/risk/legacy", err, "End-of-support record removed.")
}
