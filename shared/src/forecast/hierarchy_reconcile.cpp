// Reconciliation of base forecasts on a Hierarchy: bottom-up, OLS, WLS and MinT-shrink
// (Wickramasuriya, Athanasopoulos & Hyndman 2019), in the zero-constraint form
// y~ = y^ - W C' (C W C')^-1 C y^ with C = [I_k, -A] (S = [A; I_m]), which equals S P y^ with
// P = (S' W^-1 S)^-1 S' W^-1 for positive definite W. W is held as diag(d) + L L', so the only
// factorisation is a Cholesky (LLT) of the k x k matrix C W C'; W is never formed or inverted.

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "detail/normal.h"
#include "shelfcast/hierarchy.h"

namespace shelfcast {
namespace {

using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;
using SpMat = Eigen::SparseMatrix<double>;

// W = diag(diag) + low * low'.
struct LowRankCov {
  Vec diag;
  Mat low;
};

// What the methods need from the residuals, and the W of the chosen method.
struct Prepared {
  bool has_residuals = false;
  Mat resid;            // T x n complete rows
  Vec mse;              // uncentred one-step MSE per node (fabletools' shrinkage target)
  double lambda = 0.0;  // Schafer-Strimmer intensity, when residuals exist
  LowRankCov w;         // the method's W (unused for bottom-up)
  std::string form;
};

bool needs_residuals(ReconcileMethod m) {
  return m == ReconcileMethod::kWlsVariance || m == ReconcileMethod::kMinTShrink;
}

// residuals[series][t] -> T x n matrix of the rows with every value finite.
Result<Mat> residual_matrix(const std::vector<std::vector<double>>& residuals, size_t n) {
  if (residuals.size() != n) {
    return invalid_argument("residuals must have one row per node (" + std::to_string(n) +
                                "), got " + std::to_string(residuals.size()),
                            "residuals");
  }
  const size_t t_all = residuals[0].size();
  for (const std::vector<double>& r : residuals) {
    if (r.size() != t_all) {
      return invalid_argument("residual series differ in length", "residuals");
    }
  }
  std::vector<size_t> rows;
  for (size_t t = 0; t < t_all; ++t) {
    bool ok = true;
    for (size_t i = 0; i < n && ok; ++i) ok = std::isfinite(residuals[i][t]);
    if (ok) rows.push_back(t);
  }
  if (rows.size() < 2) {
    return invalid_argument("need at least 2 residual periods finite for every node", "residuals");
  }
  Mat out(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(n));
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t i = 0; i < n; ++i) {
      out(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(i)) = residuals[i][rows[r]];
    }
  }
  return out;
}

Vec uncentred_mse(const Mat& resid) {
  const double t = static_cast<double>(resid.rows());
  Vec mse = resid.colwise().squaredNorm().transpose();
  mse /= t;
  return mse;
}

// Schafer & Strimmer (2005) intensity toward the diagonal, as fabletools' mint_shrink: xs are
// residuals scaled by their uncentred RMS; lambda = sum_{i!=j} Var^(r_ij) / sum_{i!=j} r_ij^2 with
// Var^(r_ij) = (sum_t xs_ti^2 xs_tj^2 - (sum_t xs_ti xs_tj)^2 / T) / (T (T - 1)). The sums over
// pairs are taken through T x T Gram matrices, O(T^2 n) instead of O(T n^2).
double schafer_strimmer_lambda(const Mat& resid, const Vec& mse) {
  const Eigen::Index n = resid.cols();
  const double t = static_cast<double>(resid.rows());
  Mat xs = resid;
  for (Eigen::Index j = 0; j < n; ++j) {
    // An all-zero residual series has no correlation (fabletools would produce NaN here).
    if (mse(j) > 0.0) {
      xs.col(j) /= std::sqrt(mse(j));
    } else {
      xs.col(j).setZero();
    }
  }
  const Mat q = xs.array().square().matrix();
  const Vec g = q.colwise().sum().transpose();  // (xs' xs)_ii
  const Vec row_sums = q.rowwise().sum();       // sum_i q_ti
  Mat gram(xs.rows(), xs.rows());
  gram.noalias() = xs * xs.transpose();
  const double off_xx2 = gram.squaredNorm() - g.squaredNorm();     // sum_{i!=j} (xs'xs)_ij^2
  const double off_qq = row_sums.squaredNorm() - q.squaredNorm();  // sum_{i!=j} (q'q)_ij
  const double sum_v = (off_qq - off_xx2 / t) / (t * (t - 1.0));
  const double sum_d = off_xx2 / (t * t);
  if (!(sum_d > 0.0)) return 1.0;  // no correlation to estimate: all weight on the target
  const double lambda = sum_v / sum_d;
  return std::isfinite(lambda) ? std::clamp(lambda, 0.0, 1.0) : 1.0;
}

Status validate_params(const Hierarchy& h, const ReconcileParams& params) {
  if (h.num_bottom <= 0 || h.num_nodes() != static_cast<int32_t>(h.node_names.size()) ||
      h.summing.rows() != h.num_nodes() || h.summing.cols() != h.num_bottom) {
    return invalid_argument("empty or malformed hierarchy", "hierarchy");
  }
  if (h.num_aggregate > params.max_aggregate_nodes) {
    return Status(ErrorCode::kResourceExhausted,
                  "hierarchy has " + std::to_string(h.num_aggregate) +
                      " aggregate nodes, above max_aggregate_nodes",
                  "hierarchy");
  }
  if (params.max_nonneg_iterations < 0) {
    return invalid_argument("max_nonneg_iterations must be >= 0", "max_nonneg_iterations");
  }
  if (!(params.variance_floor_ratio >= 0.0) || !std::isfinite(params.variance_floor_ratio)) {
    return invalid_argument("variance_floor_ratio must be finite and >= 0", "variance_floor_ratio");
  }
  if (!(params.nonneg_kkt_tolerance >= 0.0) || !std::isfinite(params.nonneg_kkt_tolerance)) {
    return invalid_argument("nonneg_kkt_tolerance must be finite and >= 0", "nonneg_kkt_tolerance");
  }
  for (double level : params.levels) {
    if (!(level > 0.0 && level < 100.0)) {
      return invalid_argument("interval levels must lie in (0, 100)", "levels");
    }
  }
  if (static_cast<int>(params.method) > static_cast<int>(ReconcileMethod::kMinTShrink)) {
    return invalid_argument("unknown reconciliation method", "method");
  }
  return Status::ok();
}

Result<Prepared> prepare(const Hierarchy& h, const std::vector<std::vector<double>>& residuals,
                         const ReconcileParams& params) {
  SHELFCAST_RETURN_IF_ERROR(validate_params(h, params));
  const Eigen::Index n = h.num_nodes();
  Prepared p;
  if (needs_residuals(params.method) && residuals.empty()) {
    return invalid_argument(std::string(to_string(params.method)) + " needs in-sample residuals",
                            "residuals");
  }
  if (!residuals.empty()) {
    SHELFCAST_ASSIGN_OR_RETURN(p.resid, residual_matrix(residuals, static_cast<size_t>(n)));
    p.has_residuals = true;
    p.mse = uncentred_mse(p.resid);
    p.lambda = schafer_strimmer_lambda(p.resid, p.mse);
  }
  Vec floored;
  if (p.has_residuals) {
    floored = p.mse;
    const double mean_mse = floored.mean();
    if (mean_mse > 0.0) {
      floored = floored.cwiseMax(params.variance_floor_ratio * mean_mse);
    } else {
      floored.setOnes();  // every residual zero: no information, weigh nodes equally
    }
  }
  switch (params.method) {
    case ReconcileMethod::kBottomUp:
      p.form = "none";
      break;
    case ReconcileMethod::kOls:
      p.w.diag = Vec::Ones(n);
      p.form = "identity";
      break;
    case ReconcileMethod::kWlsStructural: {
      const Vec ones = Vec::Ones(h.num_bottom);
      p.w.diag = h.summing * ones;
      p.form = "diagonal";
      break;
    }
    case ReconcileMethod::kWlsVariance:
      p.w.diag = floored;
      p.form = "diagonal";
      break;
    case ReconcileMethod::kMinTShrink: {
      // W = lambda diag(mse) + (1 - lambda) R'R / T, the low-rank part as a factor n x T.
      p.w.diag = p.lambda * floored;
      if (p.lambda < 1.0) {
        const double scale = std::sqrt((1.0 - p.lambda) / static_cast<double>(p.resid.rows()));
        p.w.low = scale * p.resid.transpose();
        p.form = "diagonal+rank" + std::to_string(p.resid.rows());
      } else {
        p.form = "diagonal";
      }
      if (p.lambda == 0.0) {
        // No diagonal part: keep W positive definite on the floor (only if T < n matters).
        p.w.diag = Vec::Constant(n, params.variance_floor_ratio * floored.mean());
      }
      break;
    }
  }
  return p;
}

// C = [I_k, -A] plus one row e_{k+j}' per bottom j fixed at zero.
SpMat constraint_matrix(const Hierarchy& h, const std::vector<int32_t>& zero_bottoms) {
  const Eigen::Index k = h.num_aggregate;
  std::vector<Eigen::Triplet<double>> trip;
  for (Eigen::Index i = 0; i < k; ++i) trip.emplace_back(i, i, 1.0);
  for (Eigen::Index j = 0; j < h.summing.outerSize(); ++j) {
    for (SpMat::InnerIterator it(h.summing, j); it; ++it) {
      if (it.row() < k) trip.emplace_back(it.row(), k + j, -it.value());
    }
  }
  for (size_t r = 0; r < zero_bottoms.size(); ++r) {
    trip.emplace_back(k + static_cast<Eigen::Index>(r), k + zero_bottoms[r], 1.0);
  }
  SpMat c(k + static_cast<Eigen::Index>(zero_bottoms.size()), h.num_nodes());
  c.setFromTriplets(trip.begin(), trip.end());
  c.makeCompressed();
  return c;
}

// The oblique projection M = I - W C' G^-1 C with G = C W C'. W C' is never formed here:
// W C' K = diag(d) C' K + L (C L)' K, so each projector costs one sparse product and a k x k LLT.
struct Projector {
  SpMat c;
  Mat cl;  // C L (k x r)
  const LowRankCov* w = nullptr;
  Eigen::LLT<Mat> llt;
  bool identity = false;
};

Status make_projector(SpMat c, const LowRankCov& w, Projector* out) {
  out->w = &w;
  out->identity = c.rows() == 0;
  if (out->identity) return Status::ok();
  const SpMat cd = c * w.diag.asDiagonal();
  const SpMat ct = c.transpose();
  const SpMat cdc = cd * ct;
  Mat g = Mat(cdc);
  if (w.low.cols() > 0) {
    out->cl = c * w.low;
    g.noalias() += out->cl * out->cl.transpose();
  }
  const Mat g_sym = 0.5 * (g + g.transpose());
  out->llt.compute(g_sym);
  if (out->llt.info() != Eigen::Success) {
    return failed_precondition("C W C' is not positive definite; use OLS or WLS");
  }
  out->c = std::move(c);
  return Status::ok();
}

// W C' K for a k x h matrix K.
Mat w_ct_times(const Projector& p, const Mat& k) {
  const Mat ctk = p.c.transpose() * k;
  Mat out = p.w->diag.asDiagonal() * ctk;
  if (p.w->low.cols() > 0) {
    const Mat clk = p.cl.transpose() * k;
    out.noalias() += p.w->low * clk;
  }
  return out;
}

void project(const Projector& p, Mat* y) {
  if (p.identity) return;
  const Mat cy = p.c * (*y);
  const Mat k = p.llt.solve(cy);
  *y -= w_ct_times(p, k);
}

// project() that also returns the multipliers K = G^-1 C y (one row per constraint).
Mat project_multipliers(const Projector& p, Mat* y) {
  if (p.identity) return Mat(0, y->cols());
  const Mat cy = p.c * (*y);
  Mat k = p.llt.solve(cy);
  *y -= w_ct_times(p, k);
  return k;
}

// diag(M Sigma M') for Sigma = diag(s) + F F':
// diag(Sigma) - 2 diag(U X) + diag(U Y U'), X = G^-1 C Sigma, Y = G^-1 C Sigma C' G^-1.
Vec projected_variance(const Projector& p, const LowRankCov& sigma) {
  Vec base = sigma.diag;
  if (sigma.low.cols() > 0) base += sigma.low.rowwise().squaredNorm();
  if (p.identity) return base;
  const SpMat c_diag = p.c * sigma.diag.asDiagonal();
  Mat c_sigma = Mat(c_diag);
  if (sigma.low.cols() > 0) {
    const Mat cf = p.c * sigma.low;
    c_sigma.noalias() += cf * sigma.low.transpose();
  }
  const Mat x = p.llt.solve(c_sigma);                                  // k x n
  const Mat cxt = p.c * x.transpose();                                 // k x k
  const Mat yk = p.llt.solve(cxt);                                     // k x k
  const Mat u = w_ct_times(p, Mat::Identity(p.c.rows(), p.c.rows()));  // W C', n x k
  Mat uy(u.rows(), u.cols());
  uy.noalias() = u * yk;
  Vec out(base.size());
  for (Eigen::Index i = 0; i < base.size(); ++i) {
    const double v = base(i) - 2.0 * u.row(i).dot(x.col(i)) + uy.row(i).dot(u.row(i));
    out(i) = std::max(v, 0.0);
  }
  return out;
}

Status validate_matrix(const std::vector<std::vector<double>>& rows, size_t n, size_t* horizon,
                       const char* field, bool non_negative) {
  if (rows.size() != n) {
    return invalid_argument(std::string(field) + " must have one row per node (" +
                                std::to_string(n) + "), got " + std::to_string(rows.size()),
                            field);
  }
  if (*horizon == 0) *horizon = rows[0].size();
  if (*horizon == 0) return invalid_argument("horizon must be >= 1", field);
  for (const std::vector<double>& r : rows) {
    if (r.size() != *horizon) return invalid_argument("rows differ in horizon", field);
    for (double v : r) {
      if (!std::isfinite(v)) return invalid_argument("values must be finite", field);
      if (non_negative && v < 0.0) return invalid_argument("values must be >= 0", field);
    }
  }
  return Status::ok();
}

}  // namespace

std::string_view to_string(ReconcileMethod method) {
  switch (method) {
    case ReconcileMethod::kBottomUp:
      return "bottom_up";
    case ReconcileMethod::kOls:
      return "ols";
    case ReconcileMethod::kWlsStructural:
      return "wls_struct";
    case ReconcileMethod::kWlsVariance:
      return "wls_var";
    case ReconcileMethod::kMinTShrink:
      return "mint_shrink";
  }
  return "unknown";
}

Result<ReconcileMethod> parse_reconcile_method(std::string_view text) {
  for (ReconcileMethod m :
       {ReconcileMethod::kBottomUp, ReconcileMethod::kOls, ReconcileMethod::kWlsStructural,
        ReconcileMethod::kWlsVariance, ReconcileMethod::kMinTShrink}) {
    if (text == to_string(m)) return m;
  }
  return invalid_argument("expected bottom_up, ols, wls_struct, wls_var or mint_shrink, got \"" +
                              std::string(text) + "\"",
                          "method");
}

Result<double> shrinkage_intensity(const std::vector<std::vector<double>>& residuals) {
  if (residuals.empty()) return invalid_argument("no residual series", "residuals");
  SHELFCAST_ASSIGN_OR_RETURN(Mat resid, residual_matrix(residuals, residuals.size()));
  return schafer_strimmer_lambda(resid, uncentred_mse(resid));
}

Result<Eigen::MatrixXd> reconciliation_matrix(const Hierarchy& hierarchy,
                                              const ReconcileInput& input,
                                              const ReconcileParams& params) {
  SHELFCAST_ASSIGN_OR_RETURN(Prepared prep, prepare(hierarchy, input.residuals, params));
  const Eigen::Index n = hierarchy.num_nodes();
  const Eigen::Index m = hierarchy.num_bottom;
  if (params.method == ReconcileMethod::kBottomUp) {
    Mat p = Mat::Zero(m, n);
    p.rightCols(m).setIdentity();
    return p;
  }
  Projector proj;
  SHELFCAST_RETURN_IF_ERROR(make_projector(constraint_matrix(hierarchy, {}), prep.w, &proj));
  Mat y = Mat::Identity(n, n);
  project(proj, &y);
  Mat p = y.bottomRows(m);
  if (!p.allFinite()) return failed_precondition("reconciliation matrix is not finite");
  return p;
}

Result<ReconcileResult> reconcile(const Hierarchy& hierarchy, const ReconcileInput& input,
                                  const ReconcileParams& params) {
  SHELFCAST_RETURN_IF_ERROR(validate_params(hierarchy, params));
  const size_t n_nodes = static_cast<size_t>(hierarchy.num_nodes());
  size_t horizon = 0;
  SHELFCAST_RETURN_IF_ERROR(validate_matrix(input.base, n_nodes, &horizon, "base", false));
  if (!input.base_sd.empty()) {
    SHELFCAST_RETURN_IF_ERROR(validate_matrix(input.base_sd, n_nodes, &horizon, "base_sd", true));
  }
  SHELFCAST_ASSIGN_OR_RETURN(Prepared prep, prepare(hierarchy, input.residuals, params));

  const Eigen::Index n = hierarchy.num_nodes();
  const Eigen::Index m = hierarchy.num_bottom;
  const Eigen::Index hz = static_cast<Eigen::Index>(horizon);
  Mat y(n, hz);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index s = 0; s < hz; ++s) {
      y(i, s) = input.base[static_cast<size_t>(i)][static_cast<size_t>(s)];
    }
  }

  ReconcileResult out;
  out.method = params.method;
  out.method_name = std::string(to_string(params.method));
  out.covariance_form = prep.form;
  out.shrinkage_lambda = params.method == ReconcileMethod::kMinTShrink ? prep.lambda : 0.0;
  out.residual_rows_used = prep.has_residuals ? static_cast<int32_t>(prep.resid.rows()) : 0;

  const bool bottom_up = params.method == ReconcileMethod::kBottomUp;
  Projector proj;
  Mat bottoms;
  if (bottom_up) {
    bottoms = y.bottomRows(m);
  } else {
    SHELFCAST_RETURN_IF_ERROR(make_projector(constraint_matrix(hierarchy, {}), prep.w, &proj));
    Mat yt = y;
    project(proj, &yt);
    bottoms = yt.bottomRows(m);
  }

  if (params.non_negative) {
    for (Eigen::Index s = 0; s < hz; ++s) {
      if (bottoms.col(s).minCoeff() >= 0.0) continue;
      ++out.nonneg_steps_adjusted;
      std::vector<int32_t> zeroed;
      std::vector<char> is_zero(static_cast<size_t>(m), 0);
      Vec b = bottoms.col(s);
      Vec kappa;  // multipliers of the zero rows: releasing j helps iff kappa_j > 0
      bool feasible = bottom_up;
      bool optimal = false;
      Vec b_feasible;
      std::vector<int32_t> zeroed_feasible;
      for (int32_t iter = 0; !bottom_up && iter < params.max_nonneg_iterations; ++iter) {
        bool added = false;
        for (Eigen::Index j = 0; j < m; ++j) {
          if (b(j) < 0.0 && !is_zero[static_cast<size_t>(j)]) {
            is_zero[static_cast<size_t>(j)] = 1;
            zeroed.push_back(static_cast<int32_t>(j));
            added = true;
          }
        }
        if (!added) {
          // Feasible. KKT check (Lawson & Hanson 1974, ch. 23): a zeroed bottom whose multiplier
          // says the objective falls if it rises is released, one at a time.
          if (!feasible) {
            feasible = true;
            b_feasible = b;
            zeroed_feasible = zeroed;
          }
          Eigen::Index worst = -1;
          if (kappa.size() > 0) {
            const double tol = params.nonneg_kkt_tolerance * (1.0 + kappa.cwiseAbs().maxCoeff());
            double best = tol;
            for (Eigen::Index r = 0; r < kappa.size(); ++r) {
              if (kappa(r) > best) {
                best = kappa(r);
                worst = r;
              }
            }
          }
          if (worst < 0) {
            optimal = true;
            break;
          }
          is_zero[static_cast<size_t>(zeroed[static_cast<size_t>(worst)])] = 0;
          zeroed.erase(zeroed.begin() + worst);
        }
        Projector pz;
        SHELFCAST_RETURN_IF_ERROR(
            make_projector(constraint_matrix(hierarchy, zeroed), prep.w, &pz));
        Mat col = y.col(s);
        const Mat k_all = project_multipliers(pz, &col);
        kappa = k_all.bottomRows(static_cast<Eigen::Index>(zeroed.size())).col(0);
        b = col.bottomRows(m).col(0);
        for (int32_t j : zeroed) b(j) = 0.0;  // exactly zero, not round-off near it
      }
      if (optimal) {
        ++out.nonneg_optimal_steps;
      } else if (feasible && !bottom_up) {
        b = b_feasible;  // the release phase did not settle: keep the feasible heuristic point
        zeroed = zeroed_feasible;
        std::fill(is_zero.begin(), is_zero.end(), 0);
        for (int32_t j : zeroed) is_zero[static_cast<size_t>(j)] = 1;
      } else if (!bottom_up) {
        ++out.nonneg_fallback_steps;
      }
      // Clamp what is left: round-off below zero, or the sntz fallback (and bottom-up).
      for (Eigen::Index j = 0; j < m; ++j) {
        if (b(j) < 0.0 || is_zero[static_cast<size_t>(j)]) {
          if (!is_zero[static_cast<size_t>(j)]) zeroed.push_back(static_cast<int32_t>(j));
          b(j) = 0.0;
        }
      }
      out.nonneg_bottoms_zeroed += static_cast<int32_t>(zeroed.size());
      bottoms.col(s) = b;
    }
  }

  // Aggregates as exact sums of the reconciled bottoms: coherent by construction.
  const Mat coherent = hierarchy.summing * bottoms;
  if (!coherent.allFinite())
    return failed_precondition("reconciliation produced non-finite values");
  out.mean.assign(n_nodes, std::vector<double>(horizon, 0.0));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index s = 0; s < hz; ++s) {
      out.mean[static_cast<size_t>(i)][static_cast<size_t>(s)] = coherent(i, s);
    }
  }

  if (input.base_sd.empty()) return out;

  // Sigma_1: the shrinkage estimate of the one-step error covariance, else diag(base_sd[.][0]^2).
  LowRankCov sigma;
  if (prep.has_residuals) {
    sigma.diag = prep.lambda * prep.mse;
    if (prep.lambda < 1.0) {
      const double scale = std::sqrt((1.0 - prep.lambda) / static_cast<double>(prep.resid.rows()));
      sigma.low = scale * prep.resid.transpose();
    }
  } else {
    sigma.diag = Vec(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double sd = input.base_sd[static_cast<size_t>(i)][0];
      sigma.diag(i) = sd * sd;
    }
  }
  Vec var1;
  if (bottom_up) {
    // diag(S Sigma_bb S') = S diag(s_b) + row norms of S F_b.
    const Vec sb = sigma.diag.bottomRows(m);
    var1 = hierarchy.summing * sb;
    if (sigma.low.cols() > 0) {
      const Mat fb = sigma.low.bottomRows(m);
      const Mat sf = hierarchy.summing * fb;
      var1 += sf.rowwise().squaredNorm();
    }
  } else {
    var1 = projected_variance(proj, sigma);
  }
  std::vector<double> z;
  for (double level : params.levels) z.push_back(detail::normal_quantile(0.5 + level / 200.0));
  out.intervals.assign(n_nodes, {});
  for (size_t i = 0; i < n_nodes; ++i) {
    const double sd0 = input.base_sd[i][0];
    for (size_t l = 0; l < params.levels.size(); ++l) {
      ForecastInterval iv;
      iv.level = params.levels[l];
      iv.lower.resize(horizon);
      iv.upper.resize(horizon);
      for (size_t s = 0; s < horizon; ++s) {
        const double ratio =
            sd0 > 0.0 ? (input.base_sd[i][s] * input.base_sd[i][s]) / (sd0 * sd0) : 1.0;
        const double sd = std::sqrt(std::max(0.0, ratio * var1(static_cast<Eigen::Index>(i))));
        const double mu = out.mean[i][s];
        double lo = mu - z[l] * sd;
        if (params.non_negative) lo = std::max(lo, 0.0);
        iv.lower[s] = lo;
        iv.upper[s] = mu + z[l] * sd;
      }
      out.intervals[i].push_back(std::move(iv));
    }
  }
  return out;
}

}  // namespace shelfcast
