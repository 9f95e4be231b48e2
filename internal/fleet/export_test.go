package fleet

// ComponentsRead is how many components the service has read into its cache.
func (s *Service) ComponentsRead() int64 { return s.componentsRead.Load() }
