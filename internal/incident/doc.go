// Package incident is Vigil's incident module: one incident record drives every legal reporting clock it
// starts (NIS2 Art 23, GDPR Art 33, MDR Art 87, CRA Art 14), the report drafts, the reminders and the
// learning afterwards. The law is not encoded here: deadlines, questions and report contents come from
// internal/regulation/deadline, Member State adjustments from internal/regulation overlays. This package
// connects them with the store: it turns an incident, its answers and its submissions into
// deadline.Input, stores the computed clocks (store.Tx.SaveIncidentDeadlines) in the same transaction as
// the change that moved them, and sends reminders from a scheduled job.
//
// # Clocks
//
// Deadlines are stored as instants (UTC). They are recomputed whenever an answer, the awareness time, the
// fix-available time or a submission changes: the incident notification's submission (nis2.23.notif,
// cra.14.i.notif) starts the final report's period. A submission recorded for a deadline closes it.
// The organisation's time zone counts days and months; its country selects the Member State overlay.
// The organisation's type answers "is the organisation the manufacturer?" (mdr.manufacturer) and, for
// hospitals and groups, "is a product of our own outside MDR affected?" (cra.own-product) until someone
// answers them otherwise.
//
// # Reminders
//
// The job "incident.reminders" runs every minute. For each running clock (active, not submitted, with a
// due time, of an incident that is not closed) it sends at most one notification per reminder point:
//
//   - periods in hours (24 h, 72 h): at half of the period, and 2 hours before the due time;
//   - periods in days or months: 1 day before the due time;
//   - every period: an overdue alert at the due time.
//
// Only the latest point that has passed is sent, so an incident recorded late does not produce a burst of
// stale reminders. Each sent reminder is recorded (deadline, kind, due time) under a unique key, so two
// servers or a restart never send one twice; a due time that moves (an answer changed) gets its own
// reminders. Reminders go by e-mail to the incident lead, security officers and administrators (plus the
// data-protection officer for GDPR clocks and clinical engineers for MDR clocks) and to webhooks
// subscribed to incident.deadline_soon or incident.deadline_overdue.
//
// # Exercises
//
// An exercise is an incident flagged Exercise whose clocks run Acceleration times faster than real time
// from its start (AwareAt): with acceleration 60, one hour of the exercise passes in one real minute.
// Its deadlines are computed on the exercise clock (Due) and also stored as the wall-clock instant when
// that clock reaches them (DueReal), which reminders use. Exercises are kept apart from real incidents in
// every list, count, dashboard figure and report; their reminders are labelled EXERCISE and go to the
// exercise's participants only, never to webhooks. Scenarios (Scenarios) are data with timed injects;
// InjectsDue tells an exercise runner which injects are due at the accelerated time.
package incident
