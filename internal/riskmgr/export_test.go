package riskmgr

// SetShareProfiles turns the sharing of identical devices' results on or off (for a test that compares
// both ways) and returns the previous setting.
func SetShareProfiles(on bool) bool {
	was := shareProfiles
	shareProfiles = on
	return was
}
