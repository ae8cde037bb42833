#pragma once
// Internals of the ETS models shared by fitting (ets.cpp) and forecasting (ets_forecast.cpp).

#include <cstdint>
#include <functional>
#include <vector>

#include "shelfcast/ets.h"

namespace shelfcast::detail {

/// The structural flags of a model and its season length (1 without season).
struct EtsShape {
  EtsSpec spec;
  bool has_trend = false;
  bool damped = false;
  bool has_season = false;
  bool mult_error = false;
  bool mult_season = false;
  int32_t m = 1;
};

/// Smoothing parameters; phi = 1 when undamped, beta/gamma = 0 when absent.
struct EtsParams {
  double alpha = 0.5;
  double beta = 0.0;
  double gamma = 0.0;
  double phi = 1.0;
};

/// Level, trend and a ring of m seasonal values; season[pos] applies to the next period.
struct EtsState {
  double level = 0.0;
  double trend = 0.0;
  std::vector<double> season;
  int32_t pos = 0;
  /// From R's layout (l, b, s_0 .. s_{m-1}), s_0 the most recent.
  void load(const EtsShape& shape, const double* x);
  /// Back to R's layout.
  void store(const EtsShape& shape, std::vector<double>* x) const;
  /// The seasonal value applied i steps ahead (i = 0: next period), i < m.
  double season_ahead(int32_t i) const;
};

/// In-sample quantities of one pass of the recursion.
struct EtsTrace {
  std::vector<double> fitted, residuals, level, trend, season;
  double sse = 0.0;
  int32_t n_obs = 0;
  EtsState final_state;
};

/// Flags of a spec with season length m.
EtsShape shape_of(const EtsSpec& spec, int32_t m);
/// Forecast i + 1 steps ahead from state s (i = 0 is one step); optionally the part without season.
double point_forecast(const EtsShape& shape, const EtsParams& p, const EtsState& s, int32_t i,
                      double* level_trend);
/// One-step forecast from s.
double one_step(const EtsShape& shape, const EtsParams& p, const EtsState& s);
/// Advances the state by an observation y (R's etscalc.c update()).
void update_state(const EtsShape& shape, const EtsParams& p, double y, EtsState* s);
/// R's "lik": n log(SSE) + 2 sum log|mu| (multiplicative error); +inf when the path is invalid.
double run_recursion(const EtsShape& shape, const EtsParams& p, const double* x0,
                     const std::vector<double>& y, EtsTrace* trace);
/// The same likelihood as run_recursion without a trace, in one tight loop (the optimizer's).
double likelihood_only(const EtsShape& shape, const EtsParams& p, const double* x0,
                       const std::vector<double>& y);
/// True when all roots of sum a_k z^k lie inside |z| < radius (Schur-Cohn test).
bool schur_cohn_stable(std::vector<double> a, double radius);
/// R's admissible(): the forecastability region of Hyndman et al. (2008) ch. 10.
bool admissible(const EtsShape& shape, const EtsParams& p, double tolerance);
/// Minimizes f from x0 with an initial simplex of the given steps; returns the best point.
std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                                std::vector<double> x0, const std::vector<double>& step,
                                int32_t max_evals, double reltol, double* fbest);
/// R's initstate(): (l0, b0, s_0 .. s_{m-2}) from a decomposition and a regression.
/// Seasonal component of R's decompose() per observation (centred moving average, per-position
/// means of the detrended values, normalized); additive or multiplicative.
std::vector<double> classical_seasonal(const std::vector<double>& y, int32_t m, bool mult);

bool initial_state(const EtsShape& shape, const std::vector<double>& y, std::vector<double>* x);

}  // namespace shelfcast::detail
