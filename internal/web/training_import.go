package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
)

// The import pages: upload → preview (a dry run of the file kept in the database) → confirm.

type importView struct {
	Kind    string
	Mapping string
	Errors  FieldErrors
	Fields  map[string][]training.Field
	Result  *training.ImportResult
	FileID  int64
	Done    bool
}

func importFields() map[string][]training.Field {
	return map[string][]training.Field{"staff": training.StaffFields, "training-results": training.ResultFields}
}

func (s *Server) trainingImportForm(c *Ctx) error {
	kind := c.R.URL.Query().Get("kind")
	if kind != "training-results" {
		kind = "staff"
	}
	return c.Render("training/import", "Import", importView{Kind: kind, Errors: FieldErrors{}, Fields: importFields()})
}

func runImport(c *Ctx, kind string, name string, data []byte, mapping string, dry bool) (training.ImportResult, error) {
	fields := training.StaffFields
	if kind == "training-results" {
		fields = training.ResultFields
	}
	m, err := training.ParseMapping(mapping, fields)
	if err != nil {
		return training.ImportResult{}, err
	}
	opt := training.ImportOptions{Mapping: m, DryRun: dry, Now: c.Now()}
	if kind == "staff" {
		return training.ImportStaff(c.R.Context(), c.s.Store, c.Scope.Org(), name, bytes.NewReader(data), opt)
	}
	return training.ImportResults(c.R.Context(), c.s.Store, c.Scope.Org(), name, bytes.NewReader(data), opt)
}

func (s *Server) trainingImportUpload(c *Ctx) error {
	v := importView{Kind: c.Form("kind"), Mapping: c.Form("mapping"), Errors: FieldErrors{}, Fields: importFields()}
	if v.Kind != "training-results" {
		v.Kind = "staff"
	}
	fail := func(err error) error {
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/import", "Import", v)
	}
	file, hdr, err := c.R.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) {
			return fail(domain.Invalid("file", "choose a file"))
		}
		return fail(domain.Invalid("file", "the upload could not be read"))
	}
	defer file.Close()
	limit := training.DefaultLimits.MaxBytes
	data, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return fail(domain.Invalid("file", "the upload could not be read"))
	}
	if int64(len(data)) > limit {
		return fail(&domain.Error{Code: domain.ETooLarge, Field: "file", Message: fmt.Sprintf("the file is larger than %d MB", limit>>20)})
	}
	name := hdr.Filename
	res, err := runImport(c, v.Kind, name, data, v.Mapping, true)
	if err != nil {
		return fail(err)
	}
	v.Result = &res
	if res.OK {
		f := domain.TrainingFile{Purpose: "import-" + v.Kind, Name: name, ContentType: hdr.Header.Get("Content-Type"), Data: data}
		if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
			if _, err := tx.PruneTrainingImports(c.R.Context(), c.Now().Add(-24*time.Hour)); err != nil {
				return err
			}
			return tx.PutTrainingFile(c.R.Context(), &f)
		}); err != nil {
			return err
		}
		v.FileID = f.ID
	}
	return c.Render("training/import", "Import preview", v)
}

func (s *Server) trainingImportConfirm(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	f, err := c.Scope.TrainingFile(c.R.Context(), id)
	if err != nil || !strings.HasPrefix(f.Purpose, "import-") {
		return domain.NotFound("pending import (it may have been confirmed already or expired after a day)")
	}
	kind := strings.TrimPrefix(f.Purpose, "import-")
	v := importView{Kind: kind, Mapping: c.Form("mapping"), Errors: FieldErrors{}, Fields: importFields()}
	res, err := runImport(c, kind, f.Name, f.Data, v.Mapping, false)
	if err != nil {
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/import", "Import", v)
	}
	v.Result, v.Done = &res, res.OK
	if res.OK {
		if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteTrainingFile(c.R.Context(), id) }); err != nil {
			return err
		}
	}
	return c.Render("training/import", "Import", v)
}
