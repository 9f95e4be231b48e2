-- The time step of the last TOTP code accepted per user: a code is accepted once (RFC 6238 §5.2), so
-- a code seen over a shoulder or in a proxy log cannot be replayed within its validity window.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
