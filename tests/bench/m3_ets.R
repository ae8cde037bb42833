# R reference for bench_m3.cpp: forecast::ets (defaults) on the M3 monthly series, h = 18.
# Usage: Rscript m3_ets.R /work/shared/data/m3_long.csv.gz [max_series]
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(gzfile(args[1]), stringsAsFactors = FALSE)
d <- d[d$period == "MONTHLY", ]
ids <- unique(d$id)
if (length(args) > 1) ids <- head(ids, as.integer(args[2]))
smape <- numeric(length(ids))
secs <- 0
for (k in seq_along(ids)) {
  s <- d[d$id == ids[k], ]
  s <- s[order(s$t), ]
  y <- ts(s$value[s$split == "train"], frequency = 12)
  actual <- s$value[s$split == "test"]
  t0 <- proc.time()[["elapsed"]]
  f <- forecast(ets(y), h = 18)$mean
  secs <- secs + proc.time()[["elapsed"]] - t0
  hh <- min(length(actual), 18)
  smape[k] <- mean(200 * abs(actual[1:hh] - f[1:hh]) / (abs(actual[1:hh]) + abs(f[1:hh])))
}
cat(sprintf("series %d\n", length(ids)))
cat(sprintf("BENCH m3_monthly_smape_r_ets %.3f percent\n", mean(smape)))
cat(sprintf("BENCH m3_monthly_ms_per_series_r_ets %.2f ms\n", 1000 * secs / length(ids)))
