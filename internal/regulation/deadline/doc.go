// Package deadline computes the legal reporting clocks that an incident starts (NIS2 Art 23, GDPR Art 33,
// MDR Art 87, CRA Art 14), decides from guided answers which of those regimes apply, and describes the
// contents each report must carry.
//
// The rules are data (data/*.yaml, embedded); the code interprets them. Everything here is pure: values
// in, values out, no clock and no I/O. Times are returned in UTC.
//
// # Counting rules
//
// Compute gives two instants for each deadline:
//
//   - Due, the conservative reading used for reminders and countdowns. A period in hours is absolute
//     time from awareness (72 h across a daylight-saving change is 72 real hours). A period in days is
//     that many calendar days later at the same local clock time in the organisation's time zone. A period
//     of one month ends on the same day of the next month, or on that month's last day when it has no such
//     day (31 January + 1 month = 28 or 29 February), again at the same local clock time. When that local
//     time does not exist on the target day (clocks go forward), Due is the instant of the change, the
//     first instant at which the local clock reads the target time or later; when it occurs twice (clocks
//     go back), Due is the first occurrence. Both are the earlier of the possible readings.
//   - LegalEnd, the end of the period under Regulation (EEC, Euratom) No 1182/71 where it differs from
//     Due. Art 3(1): the hour (for periods in hours) or the day (for periods in days or months) during
//     which the event occurs is not counted. Art 3(2)(a)-(c): a period in hours ends when its last hour
//     expires; a period in days, weeks or months ends at the end of its last day, the last day of a month
//     period being the day with the same date as the event (or the last day of a shorter month). Art 3(4):
//     a period expressed otherwise than in hours whose last day is a public holiday, Saturday or Sunday
//     ends at the end of the following working day; periods in hours are never extended. Art 3(5): a period
//     of two days or more includes at least two working days (applied to periods in days and months only).
//     Public holidays are those of the Member State where the report is filed (Art 2(1)); without a
//     calendar only Saturdays and Sundays are considered. LegalEnd is the instant the period has expired
//     (the first instant after its last hour). Whether 1182/71 governs a given period (it formally covers
//     acts of the Council and Commission; NIS2 periods are set by national law) is not asserted: LegalEnd
//     is shown for information, Due is what Vigil counts down to.
package deadline
