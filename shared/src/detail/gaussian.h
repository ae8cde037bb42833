#pragma once
// Conditioning a multivariate normal on some of its coordinates (Eigen), for the posteriors that
// sign constraints and partial pooling move: pooling.cpp and the promo panel's fit.

#include <Eigen/Dense>
#include <vector>

namespace shelfcast::detail {

/// The mean of N(mean, cov) given that the coordinates `given` take `values`: those coordinates
/// become the values, every other one its conditional mean mean_r + S_rg S_gg^-1 (values -
/// mean_g). A coordinate uncorrelated with the given ones keeps its mean. `values` has one entry
/// per index of `given`; with no given coordinates the mean is returned as it is.
Eigen::VectorXd condition_gaussian(const Eigen::VectorXd& mean, const Eigen::MatrixXd& cov,
                                   const std::vector<int>& given, const Eigen::VectorXd& values);

}  // namespace shelfcast::detail
