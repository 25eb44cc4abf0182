-- Sign-in rate-limit counters (rate-limiter-flexible's PostgreSQL store: its own column names and types), shared by
-- every panel process and kept across restarts.
CREATE TABLE "RateLimitCounter" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "RateLimitCounter_pkey" PRIMARY KEY ("key")
);

-- Refused attempts of the current minute, per source: the first of a minute is an audit event at once, the rest are
-- counted here and written as one event with their count when the minute is over.
CREATE TABLE "RefusalTally" (
    "source" TEXT NOT NULL,
    "who" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,
    "lastAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RefusalTally_pkey" PRIMARY KEY ("source", "who", "action", "reason", "windowStart")
);
