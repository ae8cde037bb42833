// Hierarchy building and forecast reconciliation: closed forms for bottom-up, OLS and WLS, MinT-
// shrink against R reference numbers and a hand-derived shrinkage intensity, coherence, P S = I,
// non-negativity, intervals, a simulation with known truth, bad input, and a retail-scale case.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "detail/rng.h"
#include "shelfcast/hierarchy.h"
#include "shelfcast/hierarchy_forecast.h"

using namespace shelfcast;

namespace {

using Mat = Eigen::MatrixXd;
using Rows = std::vector<std::vector<double>>;

// total; group=A (b1, b2); group=B (b3, b4). Node order: total, A, B, b1, b2, b3, b4.
Hierarchy small_hierarchy() {
  HierarchySpec spec;
  spec.bottom = {{"b1", {{"group", "A"}}},
                 {"b2", {{"group", "A"}}},
                 {"b3", {{"group", "B"}}},
                 {"b4", {{"group", "B"}}}};
  spec.levels = {{}, {"group"}};
  Result<Hierarchy> h = build_hierarchy(spec);
  REQUIRE(h.is_ok());
  return *h;
}

// In-sample residuals of the small hierarchy, rows in node order (made up by hand, correlated).
Rows small_residuals() {
  return {{0.7, 0.1, -0.6, 2.1, -1.5, -0.8, 0.6, 1.3, -1.0, -0.2},
          {1.5, -0.9, 0.6, 1.8, -2.0, 0.2, -0.8, 1.1, -1.4, 0.6},
          {-0.6, 0.8, -1.0, 0.5, 0.9, -1.2, 1.3, 0.4, 0.2, -0.9},
          {1.0, -0.5, 0.3, 1.2, -1.1, 0.4, -0.2, 0.8, -0.9, 0.1},
          {0.8, -0.2, 0.5, 0.9, -1.3, 0.1, -0.4, 0.6, -0.7, 0.3},
          {-0.3, 0.6, -0.8, 0.2, 0.5, -0.6, 0.9, -0.1, 0.4, -0.7},
          {-0.1, 0.4, -0.5, 0.6, 0.2, -0.9, 0.7, 0.3, 0.1, -0.4}};
}

Rows small_base() {
  return {{100, 104}, {55, 50}, {40, 49}, {30, 26}, {22, 25}, {18, 20}, {25, 27}};
}

Mat dense_s(const Hierarchy& h) { return Mat(h.summing); }

Mat to_mat(const Rows& rows) {
  Mat m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[0].size(); ++j) {
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
    }
  }
  return m;
}

// max |aggregate - sum of its bottoms| over nodes and steps.
double incoherence(const Hierarchy& h, const Rows& mean) {
  const Mat y = to_mat(mean);
  const Mat b = y.bottomRows(h.num_bottom);
  const Mat sb = dense_s(h) * b;
  return (sb - y).cwiseAbs().maxCoeff();
}

// Closed-form GLS: S (S' W^-1 S)^-1 S' W^-1 y with explicit dense inverses (independent of the
// zero-constraint form the library uses).
Mat gls_closed_form(const Mat& s, const Mat& w, const Mat& y) {
  const Mat wi = w.inverse();
  const Mat a = s.transpose() * wi * s;
  const Mat p = a.inverse() * s.transpose() * wi;
  return s * p * y;
}

// Exact non-negative GLS by brute force: every set of bottoms fixed at zero, closed-form GLS on
// the remaining columns of S, the feasible solution nearest the base in the W^-1 norm.
Mat nnls_brute_force(const Mat& s, const Mat& wi, const Mat& y) {
  const Eigen::Index m = s.cols();
  double best = 1e300;
  Mat best_y;
  for (int mask = 0; mask < (1 << m); ++mask) {
    std::vector<Eigen::Index> free_cols;
    for (Eigen::Index j = 0; j < m; ++j) {
      if (!(mask & (1 << j))) free_cols.push_back(j);
    }
    Mat yt = Mat::Zero(s.rows(), 1);
    if (!free_cols.empty()) {
      Mat s_r(s.rows(), static_cast<Eigen::Index>(free_cols.size()));
      for (size_t c = 0; c < free_cols.size(); ++c) {
        s_r.col(static_cast<Eigen::Index>(c)) = s.col(free_cols[c]);
      }
      const Mat a = s_r.transpose() * wi * s_r;
      const Mat b = a.inverse() * s_r.transpose() * wi * y;
      if (b.minCoeff() < -1e-12) continue;
      yt = s_r * b;
    }
    const Mat d = yt - y;
    const double obj = (d.transpose() * wi * d)(0, 0);
    if (obj < best) {
      best = obj;
      best_y = yt;
    }
  }
  return best_y;
}

ReconcileParams params_for(ReconcileMethod method, bool non_negative = false) {
  ReconcileParams p;
  p.method = method;
  p.non_negative = non_negative;
  return p;
}

}  // namespace

TEST_CASE("hierarchy: grouped retail structure with stable node names and sparse S") {
  HierarchySpec spec;
  // product x store; stores 1,2 are North (1 pos, 2 web), store 3 South pos.
  const char* products[][2] = {{"milk", "Dairy"}, {"yogurt", "Dairy"}, {"bread", "Bakery"}};
  const char* stores[][3] = {
      {"s1", "North", "pos"}, {"s2", "North", "web"}, {"s3", "South", "pos"}};
  for (const auto& p : products) {
    for (const auto& s : stores) {
      spec.bottom.push_back({std::string("sku=") + p[0] + "|store=" + s[0],
                             {{"sku", p[0]},
                              {"category", p[1]},
                              {"store", s[0]},
                              {"region", s[1]},
                              {"channel", s[2]}}});
    }
  }
  spec.levels = {{}, {"category", "region"}, {"sku", "channel"}};
  Result<Hierarchy> h = build_hierarchy(spec);
  REQUIRE(h.is_ok());
  CHECK(h->num_bottom == 9);
  // total + category x region (Bakery/Dairy x North/South = 4) + sku x channel (3 x 2 = 6).
  CHECK(h->num_aggregate == 11);
  CHECK(h->node_names[0] == "total");
  CHECK(h->node_names[1] == "category=Bakery|region=North");
  CHECK(h->node_names[11] == "sku=milk|store=s1");
  Result<int32_t> dn = h->find("category=Dairy|region=North");
  REQUIRE(dn.is_ok());
  CHECK(h->node_level[static_cast<size_t>(*dn)] == 1);
  const Mat s = dense_s(*h);
  // Dairy North = milk s1, milk s2, yogurt s1, yogurt s2.
  CHECK(s.row(*dn).sum() == 4.0);
  CHECK(s(*dn, 0) == 1.0);
  CHECK(s(*dn, 2) == 0.0);
  CHECK(s.row(0).sum() == 9.0);
  Result<int32_t> mp = h->find("channel=pos|sku=milk");
  CHECK_FALSE(mp.is_ok());  // names follow the level's attribute order
  Result<int32_t> mp2 = h->find("sku=milk|channel=pos");
  REQUIRE(mp2.is_ok());
  CHECK(s.row(*mp2).sum() == 2.0);
  CHECK(h->summing.nonZeros() == 9 + 9 + 9 + 9);  // identity + three levels covering all bottoms
  CHECK(s.bottomRows(9).isIdentity());
}

TEST_CASE("reconcile: bottom-up, OLS and WLS equal their closed forms") {
  const Hierarchy h = small_hierarchy();
  const Mat s = dense_s(h);
  const Mat y = to_mat(small_base());
  ReconcileInput in;
  in.base = small_base();
  in.residuals = small_residuals();
  // WLS-var: W = diag of the uncentred residual MSE of each node.
  Eigen::VectorXd mse(7);
  for (size_t i = 0; i < 7; ++i) {
    double ss = 0.0;
    for (double e : in.residuals[i]) ss += e * e;
    mse(static_cast<Eigen::Index>(i)) = ss / 10.0;
  }
  const Mat w_var = mse.asDiagonal();
  struct Row {
    ReconcileMethod method;
    Mat expected;
  };
  const Mat w_wls =
      Eigen::VectorXd((Eigen::VectorXd(7) << 4, 2, 2, 1, 1, 1, 1).finished()).asDiagonal();
  const std::vector<Row> rows = {
      {ReconcileMethod::kBottomUp, s * y.bottomRows(4)},
      {ReconcileMethod::kOls, gls_closed_form(s, Mat::Identity(7, 7), y)},
      {ReconcileMethod::kWlsStructural, gls_closed_form(s, w_wls, y)},
      {ReconcileMethod::kWlsVariance, gls_closed_form(s, w_var, y)},
  };
  for (const Row& row : rows) {
    CAPTURE(to_string(row.method));
    Result<ReconcileResult> r = reconcile(h, in, params_for(row.method));
    REQUIRE(r.is_ok());
    CHECK(r->method_name == to_string(row.method));
    const Mat got = to_mat(r->mean);
    CHECK((got - row.expected).cwiseAbs().maxCoeff() < 1e-9);
    CHECK(incoherence(h, r->mean) < 1e-9);
  }
  Result<ReconcileResult> ols = reconcile(h, in, params_for(ReconcileMethod::kOls));
  REQUIRE(ols.is_ok());
  CHECK(ols->covariance_form == "identity");
}

TEST_CASE("MinT-shrink: shrinkage intensity by hand and reconciled values against R") {
  SUBCASE("3 x 3 intensity from the Schafer-Strimmer formula written out") {
    const Rows r3 = {
        {1.2, -0.4, 0.3, -1.0, 0.5}, {0.9, -0.1, 0.2, -0.6, 0.1}, {0.4, -0.3, 0.0, -0.5, 0.3}};
    // Independent derivation: scale by uncentred RMS, then
    // lambda = sum_{i!=j} Var(r_ij) / sum_{i!=j} r_ij^2, Var(r_ij) = (sum_t w_tij^2 -
    // (sum_t w_tij)^2 / T) / (T (T-1)) with w_tij = x_ti x_tj (fabletools' v matrix).
    const double t = 5.0;
    double xs[3][5];
    for (int i = 0; i < 3; ++i) {
      double ss = 0.0;
      for (int k = 0; k < 5; ++k) ss += r3[i][k] * r3[i][k];
      for (int k = 0; k < 5; ++k) xs[i][k] = r3[i][k] / std::sqrt(ss / t);
    }
    double num = 0.0, den = 0.0;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        if (i == j) continue;
        double sw = 0.0, sw2 = 0.0;
        for (int k = 0; k < 5; ++k) {
          const double w = xs[i][k] * xs[j][k];
          sw += w;
          sw2 += w * w;
        }
        num += (sw2 - sw * sw / t) / (t * (t - 1.0));
        const double corr = sw / t;
        den += corr * corr;
      }
    }
    const double by_hand = std::min(1.0, std::max(0.0, num / den));
    Result<double> lambda = shrinkage_intensity(r3);
    REQUIRE(lambda.is_ok());
    CHECK(*lambda == doctest::Approx(by_hand).epsilon(1e-12));
    // R reference (see below): 0.25543756323981121.
    CHECK(*lambda == doctest::Approx(0.25543756323981121).epsilon(1e-12));
  }
  SUBCASE("7-node hierarchy against R") {
    // Produced with Rscript (R 4.x, base + stats only): fabletools' min_trace(method =
    // "mint_shrink") shrinkage code transcribed from fabletools R/reconcile.R (covm =
    // crossprod(res)/n, tar = diag(mse), xs = scale(res, center = FALSE), lambda = sum(v)/sum(d)),
    // then P = solve(t(S) %*% solve(W) %*% S) %*% t(S) %*% solve(W), y~ = S P y^, and
    // V = S P W P' S'. Neither hts nor fabletools is packaged for this Debian release, so the
    // packages themselves could not be run.
    const double kLambda = 0.17264575005200708;
    const Rows kExpected = {
        {99.439378041449700, 103.906663024615241}, {57.850694112576079, 53.466756439450307},
        {41.588683928873621, 50.439906585164934},  {33.282204468336914, 27.440654209773218},
        {24.568489644239147, 26.026102229677093},  {16.924255669681919, 21.664145343929032},
        {24.664428259191709, 28.775761241235905}};
    const double kVar1[] = {1.04187461951831972, 1.30981927284090727, 0.68259450163948876,
                            0.40840426099161503, 0.35392031645766836, 0.24586599582052382,
                            0.17798701030182262};
    const Hierarchy h = small_hierarchy();
    ReconcileInput in;
    in.base = small_base();
    in.residuals = small_residuals();
    in.base_sd.assign(7, {1.0, 1.0});  // constant sd: step-2 variance = step-1 variance
    ReconcileParams p = params_for(ReconcileMethod::kMinTShrink);
    p.levels = {95.0};
    Result<ReconcileResult> r = reconcile(h, in, p);
    REQUIRE(r.is_ok());
    CHECK(r->shrinkage_lambda == doctest::Approx(kLambda).epsilon(1e-12));
    CHECK(r->covariance_form == "diagonal+rank10");
    CHECK(r->residual_rows_used == 10);
    for (size_t i = 0; i < 7; ++i) {
      for (size_t s = 0; s < 2; ++s) {
        CAPTURE(i);
        CAPTURE(s);
        CHECK(r->mean[i][s] == doctest::Approx(kExpected[i][s]).epsilon(1e-10));
        const double half = r->intervals[i][0].upper[s] - r->mean[i][s];
        CHECK(half == doctest::Approx(1.959963984540054 * std::sqrt(kVar1[i])).epsilon(1e-9));
      }
    }
    CHECK(incoherence(h, r->mean) < 1e-9);

    // A NaN residual drops its whole period (fabletools' na.omit), leaving 9 rows.
    in.residuals[2].push_back(std::nan(""));
    for (size_t i = 0; i < 7; ++i) {
      if (i != 2) in.residuals[i].push_back(5.0);
    }
    Result<ReconcileResult> with_nan = reconcile(h, in, p);
    REQUIRE(with_nan.is_ok());
    CHECK(with_nan->residual_rows_used == 10);
    CHECK(with_nan->shrinkage_lambda == doctest::Approx(kLambda).epsilon(1e-12));
  }
}

TEST_CASE("reconcile: every method is coherent, leaves coherent forecasts alone, and P S = I") {
  const Hierarchy h = small_hierarchy();
  const Mat s = dense_s(h);
  const ReconcileMethod methods[] = {ReconcileMethod::kBottomUp, ReconcileMethod::kOls,
                                     ReconcileMethod::kWlsStructural, ReconcileMethod::kWlsVariance,
                                     ReconcileMethod::kMinTShrink};
  // Coherent base: bottoms (3, 5, 7, 11) and (2, 0, 4, 9).
  Mat b(4, 2);
  b << 3, 2, 5, 0, 7, 4, 11, 9;
  const Mat coherent = s * b;
  Rows coherent_rows(7, std::vector<double>(2));
  for (int i = 0; i < 7; ++i) {
    for (int j = 0; j < 2; ++j)
      coherent_rows[static_cast<size_t>(i)][static_cast<size_t>(j)] = coherent(i, j);
  }
  for (ReconcileMethod m : methods) {
    CAPTURE(to_string(m));
    ReconcileInput in;
    in.base = small_base();
    in.residuals = small_residuals();
    Result<ReconcileResult> r = reconcile(h, in, params_for(m, true));
    REQUIRE(r.is_ok());
    CHECK(incoherence(h, r->mean) < 1e-9);

    in.base = coherent_rows;
    Result<ReconcileResult> same = reconcile(h, in, params_for(m, true));
    REQUIRE(same.is_ok());
    CHECK((to_mat(same->mean) - coherent).cwiseAbs().maxCoeff() < 1e-9);

    Result<Mat> p = reconciliation_matrix(h, in, params_for(m));
    REQUIRE(p.is_ok());
    CHECK(p->rows() == 4);
    CHECK(p->cols() == 7);
    const Mat ps = (*p) * s;
    CHECK((ps - Mat::Identity(4, 4)).cwiseAbs().maxCoeff() < 1e-9);
  }
}

TEST_CASE("reconcile: non-negativity fix where unconstrained MinT goes negative") {
  const Hierarchy h = small_hierarchy();
  ReconcileInput in;
  // The total says 40, the groups 61: reconciliation pulls the tiny A bottoms below zero.
  in.base = {{40.0}, {1.0}, {60.0}, {0.3}, {0.2}, {30.0}, {28.0}};
  in.residuals = small_residuals();
  const ReconcileMethod methods[] = {ReconcileMethod::kOls, ReconcileMethod::kWlsStructural,
                                     ReconcileMethod::kMinTShrink};
  for (ReconcileMethod m : methods) {
    CAPTURE(to_string(m));
    Result<ReconcileResult> free_r = reconcile(h, in, params_for(m, false));
    REQUIRE(free_r.is_ok());
    double free_min = 1e300;
    for (size_t i = 3; i < 7; ++i) free_min = std::min(free_min, free_r->mean[i][0]);
    CHECK(free_min < 0.0);

    Result<ReconcileResult> r = reconcile(h, in, params_for(m, true));
    REQUIRE(r.is_ok());
    for (size_t i = 0; i < 7; ++i) CHECK(r->mean[i][0] >= 0.0);
    CHECK(incoherence(h, r->mean) < 1e-9);
    CHECK(r->nonneg_steps_adjusted == 1);
    CHECK(r->nonneg_bottoms_zeroed >= 1);
    CHECK(r->nonneg_fallback_steps == 0);
  }
  // OLS with b1, b2 fixed at zero is OLS on the structure without them: S_r = S[:, {b3, b4}].
  Result<ReconcileResult> ols = reconcile(h, in, params_for(ReconcileMethod::kOls, true));
  REQUIRE(ols.is_ok());
  CHECK(ols->mean[3][0] == 0.0);
  CHECK(ols->mean[4][0] == 0.0);
  const Mat s_r = dense_s(h).rightCols(2);
  const Mat y = to_mat(in.base);
  const Mat expected = s_r * (s_r.transpose() * s_r).inverse() * s_r.transpose() * y;
  CHECK((to_mat(ols->mean) - expected).cwiseAbs().maxCoeff() < 1e-9);
  // With zero re-reconciliation rounds the sntz fallback (clamp and sum) still gives >= 0.
  ReconcileParams p = params_for(ReconcileMethod::kMinTShrink, true);
  p.max_nonneg_iterations = 0;
  Result<ReconcileResult> r = reconcile(h, in, p);
  REQUIRE(r.is_ok());
  CHECK(r->nonneg_fallback_steps == 1);
  for (size_t i = 0; i < 7; ++i) CHECK(r->mean[i][0] >= 0.0);
  CHECK(incoherence(h, r->mean) < 1e-9);
}

TEST_CASE("reconcile: non-negative result is the exact NNLS optimum (brute force over zero sets)") {
  // Enumerate every set of bottoms fixed at zero, solve the GLS on the remaining columns of S in
  // closed form, keep the feasible ones, and take the smallest W^-1 distance to the base.
  const Hierarchy h = small_hierarchy();
  const Mat s = dense_s(h);
  const Rows resid = small_residuals();
  Result<double> lambda = shrinkage_intensity(resid);
  REQUIRE(lambda.is_ok());
  const Mat r = to_mat(resid).transpose();  // T x n
  const Mat covm = r.transpose() * r / 10.0;
  const Mat tar = Eigen::VectorXd(covm.diagonal()).asDiagonal();
  const Mat w_mint = (*lambda) * tar + (1.0 - *lambda) * covm;
  const Mat w_wls =
      Eigen::VectorXd((Eigen::VectorXd(7) << 4, 2, 2, 1, 1, 1, 1).finished()).asDiagonal();
  struct MethodRow {
    ReconcileMethod method;
    Mat w;
  };
  const std::vector<MethodRow> methods = {{ReconcileMethod::kOls, Mat::Identity(7, 7)},
                                          {ReconcileMethod::kWlsStructural, w_wls},
                                          {ReconcileMethod::kMinTShrink, w_mint}};
  const Rows bases[] = {{{40}, {1}, {60}, {0.3}, {0.2}, {30}, {28}},
                        {{10}, {12}, {1}, {5}, {6}, {0.1}, {0.2}},
                        {{5}, {1}, {1}, {4}, {4}, {0.5}, {0.5}},
                        {{20}, {2}, {30}, {1.5}, {0.1}, {0.2}, {25}},
                        {{3}, {9}, {0.5}, {0.2}, {0.1}, {2}, {0.4}}};
  for (const MethodRow& mr : methods) {
    for (const Rows& base : bases) {
      CAPTURE(to_string(mr.method));
      CAPTURE(base[0][0]);
      const Mat y = to_mat(base);
      const Mat best_y = nnls_brute_force(s, mr.w.inverse(), y);
      ReconcileInput in;
      in.base = base;
      in.residuals = resid;
      Result<ReconcileResult> got = reconcile(h, in, params_for(mr.method, true));
      REQUIRE(got.is_ok());
      CHECK((to_mat(got->mean) - best_y).cwiseAbs().maxCoeff() < 1e-8);
      CHECK(got->nonneg_optimal_steps == got->nonneg_steps_adjusted);
    }
  }
  // Grouped (crossed) hierarchy: total, group A/B, channel x/y over 4 bottoms. Here fixing every
  // bottom that comes out negative at zero overshoots; the multiplier-based release step finds
  // the optimum (cases found by a random search against this brute force).
  HierarchySpec spec;
  spec.bottom = {{"b1", {{"group", "A"}, {"ch", "x"}}},
                 {"b2", {{"group", "A"}, {"ch", "y"}}},
                 {"b3", {{"group", "B"}, {"ch", "x"}}},
                 {"b4", {{"group", "B"}, {"ch", "y"}}}};
  spec.levels = {{}, {"group"}, {"ch"}};
  Result<Hierarchy> g = build_hierarchy(spec);
  REQUIRE(g.is_ok());
  const Mat sg = dense_s(*g);
  const Mat w_wls_g = Eigen::VectorXd(sg.rowwise().sum()).asDiagonal();
  const Rows grouped_bases[] = {{{1}, {7}, {4}, {4}, {2}, {0}, {1}, {0}, {8}},
                                {{1}, {3}, {0}, {0}, {0}, {0}, {2}, {0}, {8}},
                                {{13}, {3}, {2}, {2}, {0}, {9}, {1}, {2}, {5}}};
  for (const Rows& base : grouped_bases) {
    for (const MethodRow& mr : {MethodRow{ReconcileMethod::kOls, Mat::Identity(9, 9)},
                                MethodRow{ReconcileMethod::kWlsStructural, w_wls_g}}) {
      CAPTURE(to_string(mr.method));
      CAPTURE(base[0][0]);
      const Mat best_y = nnls_brute_force(sg, mr.w.inverse(), to_mat(base));
      ReconcileInput in;
      in.base = base;
      Result<ReconcileResult> got = reconcile(*g, in, params_for(mr.method, true));
      REQUIRE(got.is_ok());
      CHECK((to_mat(got->mean) - best_y).cwiseAbs().maxCoeff() < 1e-8);
      CHECK(got->nonneg_optimal_steps == 1);
      CHECK(incoherence(*g, got->mean) < 1e-9);
    }
  }
  // Without the release step (tolerance so large nothing is released) the first case is worse.
  ReconcileInput in;
  in.base = grouped_bases[0];
  ReconcileParams no_release = params_for(ReconcileMethod::kOls, true);
  no_release.nonneg_kkt_tolerance = 1e300;
  Result<ReconcileResult> greedy = reconcile(*g, in, no_release);
  REQUIRE(greedy.is_ok());
  const Mat best_y = nnls_brute_force(sg, Mat::Identity(9, 9), to_mat(in.base));
  CHECK((to_mat(greedy->mean) - best_y).cwiseAbs().maxCoeff() > 1e-3);
}

TEST_CASE("reconcile: intervals are ordered, non-negative, and bottom-up sums variances") {
  const Hierarchy h = small_hierarchy();
  ReconcileInput in;
  in.base = {{4.0, 4.0}, {2.0, 2.0}, {2.0, 2.0}, {1.0, 1.0}, {1.0, 1.0}, {1.0, 1.0}, {1.0, 1.0}};
  in.base_sd = {{3, 6}, {2, 4}, {2, 4}, {1, 2}, {1, 2}, {1, 2}, {1, 2}};
  ReconcileParams p = params_for(ReconcileMethod::kBottomUp, true);
  p.levels = {80.0, 95.0};
  Result<ReconcileResult> r = reconcile(h, in, p);
  REQUIRE(r.is_ok());
  // Bottom-up without residuals: independent bottoms, total variance 4 at step 1, 16 at step 2.
  const double z95 = 1.959963984540054;
  CHECK(r->intervals[0][1].upper[0] == doctest::Approx(4.0 + z95 * 2.0));
  CHECK(r->intervals[0][1].upper[1] == doctest::Approx(4.0 + z95 * 4.0));
  for (ReconcileMethod m : {ReconcileMethod::kOls, ReconcileMethod::kMinTShrink}) {
    CAPTURE(to_string(m));
    in.residuals = small_residuals();
    ReconcileParams pm = params_for(m, true);
    Result<ReconcileResult> rm = reconcile(h, in, pm);
    REQUIRE(rm.is_ok());
    for (size_t i = 0; i < 7; ++i) {
      for (size_t s = 0; s < 2; ++s) {
        CHECK(rm->intervals[i][0].lower[s] >= 0.0);
        CHECK(rm->intervals[i][1].lower[s] <= rm->intervals[i][0].lower[s]);
        CHECK(rm->intervals[i][1].upper[s] >= rm->intervals[i][0].upper[s]);
        CHECK(rm->intervals[i][0].upper[s] >= rm->mean[i][s]);
      }
    }
  }
}

TEST_CASE("MinT-shrink: lower MSE than base and bottom-up on simulated correlated errors") {
  // Truth: every bottom is 10. Base errors: bottoms z_j + 0.8 c_group (correlated within group,
  // var 1.64); group aggregates 1.2 u, total 1.5 u (independent, better than summing bottoms).
  const Hierarchy h = small_hierarchy();
  const Mat s = dense_s(h);
  const Eigen::VectorXd truth = s * Eigen::VectorXd::Constant(4, 10.0);
  detail::Rng rng(20240611);
  auto draw_errors = [&rng]() {
    const double ca = rng.normal(), cb = rng.normal();
    std::vector<double> e(7);
    e[0] = 1.5 * rng.normal();
    e[1] = 1.2 * rng.normal();
    e[2] = 1.2 * rng.normal();
    e[3] = rng.normal() + 0.8 * ca;
    e[4] = rng.normal() + 0.8 * ca;
    e[5] = rng.normal() + 0.8 * cb;
    e[6] = rng.normal() + 0.8 * cb;
    return e;
  };
  const int kReplications = 200;
  const int kResidualLength = 40;
  double mse_base = 0.0, mse_bu = 0.0, mse_mint = 0.0;
  for (int rep = 0; rep < kReplications; ++rep) {
    ReconcileInput in;
    in.residuals.assign(7, std::vector<double>(kResidualLength));
    for (int t = 0; t < kResidualLength; ++t) {
      const std::vector<double> e = draw_errors();
      for (size_t i = 0; i < 7; ++i) in.residuals[i][static_cast<size_t>(t)] = e[i];
    }
    const std::vector<double> e = draw_errors();
    in.base.assign(7, std::vector<double>(1));
    for (size_t i = 0; i < 7; ++i) {
      in.base[i][0] = truth(static_cast<Eigen::Index>(i)) + e[i];
      mse_base += e[i] * e[i];
    }
    Result<ReconcileResult> bu = reconcile(h, in, params_for(ReconcileMethod::kBottomUp));
    Result<ReconcileResult> mint = reconcile(h, in, params_for(ReconcileMethod::kMinTShrink));
    REQUIRE(bu.is_ok());
    REQUIRE(mint.is_ok());
    for (size_t i = 0; i < 7; ++i) {
      const double tr = truth(static_cast<Eigen::Index>(i));
      mse_bu += (bu->mean[i][0] - tr) * (bu->mean[i][0] - tr);
      mse_mint += (mint->mean[i][0] - tr) * (mint->mean[i][0] - tr);
    }
  }
  mse_base /= kReplications;
  mse_bu /= kReplications;
  mse_mint /= kReplications;
  CAPTURE(mse_base);
  CAPTURE(mse_bu);
  CAPTURE(mse_mint);
  MESSAGE("summed MSE over 7 nodes: base " << mse_base << ", bottom-up " << mse_bu
                                           << ", MinT-shrink " << mse_mint);
  CHECK(mse_mint < 0.9 * mse_base);
  CHECK(mse_mint < 0.6 * mse_bu);
}

TEST_CASE("hierarchy and reconcile: bad input table") {
  const Hierarchy h = small_hierarchy();
  struct Row {
    const char* name;
    ErrorCode code;
    Status status;
  };
  auto build_status = [](HierarchySpec spec) { return build_hierarchy(spec).status(); };
  auto rec_status = [&h](ReconcileInput in, ReconcileParams p) {
    return reconcile(h, in, p).status();
  };
  ReconcileInput good;
  good.base = small_base();
  good.residuals = small_residuals();
  const ReconcileParams mint = params_for(ReconcileMethod::kMinTShrink);

  ReconcileInput few_nodes = good;
  few_nodes.residuals.pop_back();
  ReconcileInput ragged = good;
  ragged.residuals[2].pop_back();
  ReconcileInput short_base = good;
  short_base.base.pop_back();
  ReconcileInput nan_base = good;
  nan_base.base[1][0] = std::nan("");
  ReconcileInput no_resid = good;
  no_resid.residuals.clear();
  ReconcileInput one_row = good;
  for (auto& r : one_row.residuals) r.resize(1);
  ReconcileInput all_nan_rows = good;
  for (auto& v : all_nan_rows.residuals[0]) v = std::nan("");
  ReconcileInput neg_sd = good;
  neg_sd.base_sd.assign(7, {1.0, -1.0});
  ReconcileParams bad_level = mint;
  bad_level.levels = {100.0};
  ReconcileParams tiny_cap = mint;
  tiny_cap.max_aggregate_nodes = 2;

  const std::vector<Row> rows = {
      {"empty hierarchy", ErrorCode::kInvalidArgument, build_status(HierarchySpec{})},
      {"unknown attribute", ErrorCode::kInvalidArgument,
       build_status({{{"b1", {{"group", "A"}}}}, {{"region"}}})},
      {"duplicate key", ErrorCode::kInvalidArgument,
       build_status({{{"b1", {}}, {"b1", {}}}, {{}}})},
      {"reserved character", ErrorCode::kInvalidArgument,
       build_status({{{"b1", {{"group", "A|B"}}}}, {{"group"}}})},
      {"duplicate level", ErrorCode::kInvalidArgument,
       build_status({{{"b1", {{"group", "A"}}}}, {{"group"}, {"group"}}})},
      {"residuals wrong node count", ErrorCode::kInvalidArgument, rec_status(few_nodes, mint)},
      {"ragged residuals", ErrorCode::kInvalidArgument, rec_status(ragged, mint)},
      {"base wrong node count", ErrorCode::kInvalidArgument, rec_status(short_base, mint)},
      {"NaN base", ErrorCode::kInvalidArgument, rec_status(nan_base, mint)},
      {"MinT without residuals", ErrorCode::kInvalidArgument, rec_status(no_resid, mint)},
      {"WLS-var without residuals", ErrorCode::kInvalidArgument,
       rec_status(no_resid, params_for(ReconcileMethod::kWlsVariance))},
      {"one residual row", ErrorCode::kInvalidArgument, rec_status(one_row, mint)},
      {"no complete residual row", ErrorCode::kInvalidArgument, rec_status(all_nan_rows, mint)},
      {"negative sd", ErrorCode::kInvalidArgument, rec_status(neg_sd, mint)},
      {"level 100", ErrorCode::kInvalidArgument, rec_status(good, bad_level)},
      {"too many aggregates", ErrorCode::kResourceExhausted, rec_status(good, tiny_cap)},
      {"default hierarchy", ErrorCode::kInvalidArgument,
       reconcile(Hierarchy{}, good, mint).status()},
      {"shrinkage of nothing", ErrorCode::kInvalidArgument, shrinkage_intensity({}).status()},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    CAPTURE(row.status.to_string());
    CHECK(row.status.code() == row.code);
  }
  // A hierarchy without aggregate levels reconciles to its (non-negative) base.
  Result<Hierarchy> flat = build_hierarchy({{{"b1", {}}, {"b2", {}}}, {}});
  REQUIRE(flat.is_ok());
  ReconcileInput flat_in;
  flat_in.base = {{3.0}, {-1.0}};
  Result<ReconcileResult> flat_r =
      reconcile(*flat, flat_in, params_for(ReconcileMethod::kOls, true));
  REQUIRE(flat_r.is_ok());
  CHECK(flat_r->mean == Rows{{3.0}, {0.0}});
  // Sanity: the good input passes, and an all-zero node (zero residuals) does not break W.
  CHECK(reconcile(h, good, mint).is_ok());
  ReconcileInput zero_node = good;
  for (auto& v : zero_node.residuals[6]) v = 0.0;
  Result<ReconcileResult> z = reconcile(h, zero_node, mint);
  REQUIRE(z.is_ok());
  CHECK(incoherence(h, z->mean) < 1e-9);
}

TEST_CASE("reconcile: retail scale, 2,000 SKU x store series and ~250 aggregates with MinT") {
  // 400 products x 5 stores, 50 categories, 2 regions, 2 channels (5,000 bottoms x ~300
  // aggregates work the same way; kept small for the ASan test budget).
  HierarchySpec spec;
  for (int p = 0; p < 400; ++p) {
    for (int st = 0; st < 5; ++st) {
      spec.bottom.push_back({"sku=" + std::to_string(p) + "|store=" + std::to_string(st),
                             {{"category", "c" + std::to_string(p % 50)},
                              {"region", st % 2 == 0 ? "North" : "South"},
                              {"channel", st < 3 ? "pos" : "web"}}});
    }
  }
  spec.levels = {
      {}, {"region"}, {"channel"}, {"category"}, {"category", "region"}, {"category", "channel"}};
  Result<Hierarchy> h = build_hierarchy(spec);
  REQUIRE(h.is_ok());
  CHECK(h->num_bottom == 2000);
  CHECK(h->num_aggregate == 1 + 2 + 2 + 50 + 100 + 100);
  const Eigen::Index n = h->num_nodes();
  detail::Rng rng(7);
  Eigen::VectorXd level(h->num_bottom);
  for (Eigen::Index j = 0; j < level.size(); ++j) level(j) = rng.uniform(2.0, 20.0);
  const Eigen::VectorXd truth = h->summing * level;
  ReconcileInput in;
  in.base.assign(static_cast<size_t>(n), std::vector<double>(2));
  in.residuals.assign(static_cast<size_t>(n), std::vector<double>(24));
  for (Eigen::Index i = 0; i < n; ++i) {
    const double sd = std::sqrt(truth(i));
    for (auto& v : in.residuals[static_cast<size_t>(i)]) v = sd * rng.normal();
    for (auto& v : in.base[static_cast<size_t>(i)]) v = truth(i) + sd * rng.normal();
  }
  ReconcileParams p = params_for(ReconcileMethod::kMinTShrink, true);
  Result<ReconcileResult> r = reconcile(*h, in, p);
  REQUIRE(r.is_ok());
  CHECK(r->covariance_form == "diagonal+rank24");
  CHECK(incoherence(*h, r->mean) < 1e-6);
  double min_value = 1e300;
  for (const auto& row : r->mean) {
    for (double v : row) min_value = std::min(min_value, v);
  }
  CHECK(min_value >= 0.0);
  CHECK(r->nonneg_optimal_steps == r->nonneg_steps_adjusted);
}

namespace {

// Six weekly bottom series (2 SKUs x 3 stores in 2 regions), 120 weeks with a yearly cycle and
// noise; SKU A has price promotions as drivers.
HierarchyForecastInput small_estate(uint64_t seed) {
  detail::Rng rng(seed);
  HierarchyForecastInput in;
  const char* stores[] = {"S1", "S2", "S3"};
  const char* regions[] = {"North", "North", "South"};
  for (const char* sku : {"A", "B"}) {
    for (int s = 0; s < 3; ++s) {
      BottomSeries b;
      b.key = std::string("sku=") + sku + "|store=" + stores[s];
      b.attributes = {
          {"sku", sku}, {"store", stores[s]}, {"region", regions[s]}, {"category", "Dairy"}};
      in.spec.bottom.push_back(b);
      ForecastInput f;
      f.season_length = 52;
      f.horizon = 6;
      const bool promoted = std::string(sku) == "A";
      for (int t = 0; t < 120 + f.horizon; ++t) {
        const double depth = promoted && t % 9 == 4 ? 0.25 : 0.0;
        RetailRegressors& d = t < 120 ? f.history_drivers : f.future_drivers;
        if (promoted) {
          d.price_ratio.push_back(1.0 - depth);
          d.promo_depth.push_back(depth);
        }
        if (t >= 120) continue;
        const double mean = (20.0 + 10.0 * s) *
                            (1.0 + 0.3 * std::cos(6.283185307179586 * t / 52.0)) *
                            std::pow(1.0 - depth, -2.0);
        f.values.push_back(std::max(0.0, mean + 3.0 * rng.normal()));
      }
      in.bottom.push_back(f);
    }
  }
  in.spec.levels = {{}, {"category", "region"}, {"sku"}};
  return in;
}

}  // namespace

TEST_CASE("forecast_hierarchy: every node forecast, reconciled, coherent and non-negative") {
  const HierarchyForecastInput in = small_estate(5);
  for (ReconcileMethod method : {ReconcileMethod::kMinTShrink, ReconcileMethod::kBottomUp}) {
    CAPTURE(to_string(method));
    HierarchyForecastOptions options;
    options.method = method;
    options.bottom_level_name = "sku,store";
    Result<HierarchyForecast> f = forecast_hierarchy(in, options);
    REQUIRE(f.is_ok());
    const Hierarchy& h = f->hierarchy;
    CHECK(h.num_bottom == 6);
    CHECK(h.num_aggregate == 1 + 2 + 2);
    CHECK(f->reconciled.method_name == std::string(to_string(method)));
    CHECK(f->fallback_reason.empty());
    REQUIRE(f->level_names.size() == 11);
    CHECK(f->level_names[0] == "total");
    CHECK(f->level_names[1] == "category,region");
    CHECK(f->level_names[3] == "sku");
    CHECK(f->level_names[10] == "sku,store");
    // Promoted bottoms use their drivers; an aggregate gets its bottoms' volume-weighted drivers
    // (the total and SKU A see A's promotions; SKU B has none).
    CHECK(f->base[5].model == "ETS-Regression");
    CHECK(f->base[0].model == "ETS-Regression");
    CHECK(h.node_names[3] == "sku=A");
    CHECK(f->base[3].model == "ETS-Regression");
    CHECK(h.node_names[4] == "sku=B");
    CHECK(f->base[4].drivers.empty());
    for (int32_t step = 0; step < 6; ++step) {
      CAPTURE(step);
      double bottoms = 0.0;
      for (int32_t b = 0; b < 6; ++b) {
        const double v =
            f->reconciled.mean[static_cast<size_t>(h.num_aggregate + b)][static_cast<size_t>(step)];
        CHECK(v >= 0.0);
        bottoms += v;
      }
      CHECK(f->reconciled.mean[0][static_cast<size_t>(step)] ==
            doctest::Approx(bottoms).epsilon(1e-9));
      for (size_t node = 0; node < 11; ++node) {
        REQUIRE(f->reconciled.intervals[node].size() == 2);
        const ForecastInterval& iv = f->reconciled.intervals[node][0];
        CHECK(iv.lower[static_cast<size_t>(step)] <=
              f->reconciled.mean[node][static_cast<size_t>(step)]);
        CHECK(iv.upper[static_cast<size_t>(step)] >=
              f->reconciled.mean[node][static_cast<size_t>(step)]);
      }
    }
  }
}

TEST_CASE("backtest_hierarchy scores base and reconciled forecasts per level") {
  const HierarchyForecastInput in = small_estate(9);
  BacktestOptions bt;
  bt.horizon = 4;
  bt.origins = 2;
  bt.step = 4;
  HierarchyForecastOptions options;
  options.bottom_level_name = "sku,store";
  Result<std::vector<LevelAccuracy>> levels = backtest_hierarchy(in, bt, options);
  REQUIRE(levels.is_ok());
  REQUIRE(levels->size() == 4);
  const char* names[] = {"total", "category,region", "sku", "sku,store"};
  const int nodes[] = {1, 2, 2, 6};
  for (size_t l = 0; l < 4; ++l) {
    CAPTURE(l);
    const LevelAccuracy& a = (*levels)[l];
    CHECK(a.level == names[l]);
    CHECK(a.nodes == nodes[l]);
    CHECK(a.base.n == nodes[l] * 2 * 4);
    CHECK(a.reconciled.n == nodes[l] * 2 * 4);
    const AccuracyMetrics base = a.base.metrics(), rec = a.reconciled.metrics();
    CHECK(std::isfinite(base.mase));
    CHECK(std::isfinite(rec.mase));
    // Smooth seasonal data with 3-unit noise: both well under the seasonal-naive error.
    CHECK(rec.wape < 0.25);
    REQUIRE(rec.coverage.size() == 2);
  }
  SUBCASE("bad shapes are named") {
    HierarchyForecastInput bad = in;
    bad.bottom[2].values.pop_back();
    // Named options rather than the default argument's temporary: GCC 12 at -O3 warns that the
    // temporary's vector "may be used uninitialized" (a false positive that -Werror makes fatal).
    const HierarchyForecastOptions defaults;
    Result<HierarchyForecast> f = forecast_hierarchy(bad, defaults);
    REQUIRE_FALSE(f.is_ok());
    CHECK(f.status().field() == "bottom[2].values");
    bad = in;
    bad.bottom.pop_back();
    CHECK(forecast_hierarchy(bad, defaults).status().field() == "bottom");
    bt.origins = 40;
    CHECK(backtest_hierarchy(in, bt, defaults).status().field() == "origins");
  }
}
