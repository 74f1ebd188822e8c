// Optimizers over torch::optim (AdamW, SGD) with parameter groups, their state as bytes, and gradient
// clipping. An optimizer is an opaque `torch::optim::Optimizer*` owned by the C# OptimizerHandle.
//
// Life cycle: lrnn_<kind>_new creates an optimizer with no parameters (its options are the defaults), then
// lrnn_<kind>_add_param_group adds each group with fully resolved options (C# resolves the per-group
// overrides). libtorch validates only the defaults, so every group's options are validated here.
#include "common.h"

#include <cstring>

using optimizer_t = torch::optim::Optimizer*;

namespace {

torch::optim::AdamWOptions adamw_options(double lr, double beta1, double beta2, double eps, double weight_decay,
                                         int32_t amsgrad) {
  LRNN_REQUIRE(lr >= 0, "AdamW: invalid learning rate " + std::to_string(lr));
  LRNN_REQUIRE(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1,
               "AdamW: betas must lie in [0, 1), got (" + std::to_string(beta1) + ", " + std::to_string(beta2) + ")");
  LRNN_REQUIRE(eps >= 0, "AdamW: invalid eps " + std::to_string(eps));
  LRNN_REQUIRE(weight_decay >= 0, "AdamW: invalid weight_decay " + std::to_string(weight_decay));
  return torch::optim::AdamWOptions(lr).betas({beta1, beta2}).eps(eps).weight_decay(weight_decay).amsgrad(amsgrad != 0);
}

torch::optim::SGDOptions sgd_options(double lr, double momentum, double dampening, double weight_decay,
                                     int32_t nesterov) {
  LRNN_REQUIRE(lr >= 0, "SGD: invalid learning rate " + std::to_string(lr));
  LRNN_REQUIRE(momentum >= 0, "SGD: invalid momentum " + std::to_string(momentum));
  LRNN_REQUIRE(weight_decay >= 0, "SGD: invalid weight_decay " + std::to_string(weight_decay));
  LRNN_REQUIRE(!nesterov || (momentum > 0 && dampening == 0), "SGD: nesterov needs momentum > 0 and zero dampening");
  return torch::optim::SGDOptions(lr).momentum(momentum).dampening(dampening).weight_decay(weight_decay).nesterov(
      nesterov != 0);
}

template <typename Options>
void add_group(optimizer_t opt, tensor_t const* params, int64_t n, const Options& options) {
  opt->add_param_group(torch::optim::OptimizerParamGroup(lrnn::tensors(params, n), std::make_unique<Options>(options)));
}

torch::optim::OptimizerParamGroup& group_at(optimizer_t opt, int32_t group) {
  auto& groups = opt->param_groups();
  LRNN_REQUIRE(group >= 0 && static_cast<size_t>(group) < groups.size(),
               "parameter group " + std::to_string(group) + " does not exist (the optimizer has " +
                   std::to_string(groups.size()) + ")");
  return groups[static_cast<size_t>(group)];
}

}  // namespace

// ---- construction ------------------------------------------------------------------------------------
LRNN_API optimizer_t lrnn_adamw_new(double lr, double beta1, double beta2, double eps, double weight_decay,
                                    int32_t amsgrad) {
  try {
    lrnn::clear_error();
    return new torch::optim::AdamW(std::vector<torch::optim::OptimizerParamGroup>{},
                                   adamw_options(lr, beta1, beta2, eps, weight_decay, amsgrad));
  }
  LRNN_CATCH(nullptr)
}
LRNN_API int32_t lrnn_adamw_add_param_group(optimizer_t opt, tensor_t const* params, int64_t n, double lr, double beta1,
                                            double beta2, double eps, double weight_decay, int32_t amsgrad) {
  LRNN_STATUS(add_group(opt, params, n, adamw_options(lr, beta1, beta2, eps, weight_decay, amsgrad)));
}

LRNN_API optimizer_t lrnn_sgd_new(double lr, double momentum, double dampening, double weight_decay, int32_t nesterov) {
  try {
    lrnn::clear_error();
    return new torch::optim::SGD(std::vector<torch::optim::OptimizerParamGroup>{},
                                 sgd_options(lr, momentum, dampening, weight_decay, nesterov));
  }
  LRNN_CATCH(nullptr)
}
LRNN_API int32_t lrnn_sgd_add_param_group(optimizer_t opt, tensor_t const* params, int64_t n, double lr,
                                          double momentum, double dampening, double weight_decay, int32_t nesterov) {
  LRNN_STATUS(add_group(opt, params, n, sgd_options(lr, momentum, dampening, weight_decay, nesterov)));
}

LRNN_API void lrnn_optimizer_free(optimizer_t opt) {
  try {
    delete opt;
  } catch (...) {
  }
}

// ---- stepping ----------------------------------------------------------------------------------------
LRNN_API int32_t lrnn_optimizer_step(optimizer_t opt) { LRNN_STATUS(opt->step()); }

// Implemented here rather than with Optimizer::zero_grad, whose set_to_none argument only exists in 2.x.
LRNN_API int32_t lrnn_optimizer_zero_grad(optimizer_t opt, int32_t set_to_none) {
  LRNN_STATUS({
    for (auto& group : opt->param_groups()) {
      for (auto& p : group.params()) {
        auto& grad = p.mutable_grad();
        if (!grad.defined()) continue;
        if (set_to_none) {
          grad = at::Tensor();
        } else {
          grad.detach_();
          grad.zero_();
        }
      }
    }
  });
}

// ---- parameter groups --------------------------------------------------------------------------------
LRNN_API int32_t lrnn_optimizer_get_lr(optimizer_t opt, int32_t group, double* lr) {
  LRNN_STATUS(*lr = group_at(opt, group).options().get_lr());
}
LRNN_API int32_t lrnn_optimizer_set_lr(optimizer_t opt, int32_t group, double lr) {
  LRNN_STATUS({
    LRNN_REQUIRE(lr >= 0, "invalid learning rate " + std::to_string(lr));
    group_at(opt, group).options().set_lr(lr);
  });
}

// ---- state -------------------------------------------------------------------------------------------
// libtorch's optimizer archive holds the per-parameter state (moments, step counts) and the groups' options,
// but Optimizer::load restores only the former (1.13). The one option that changes during training, the
// learning rate (schedulers), is therefore also kept under its own key and restored by lrnn_optimizer_load.
constexpr const char* kLearningRatesKey = "lrnn/learning_rates";

// The state as libtorch archive bytes, in a 1-D uint8 CPU tensor the caller copies out and frees.
LRNN_API tensor_t lrnn_optimizer_save(optimizer_t opt) {
  try {
    lrnn::clear_error();
    torch::serialize::OutputArchive archive;
    opt->save(archive);
    const auto& groups = opt->param_groups();
    auto lrs = at::empty({static_cast<int64_t>(groups.size())}, at::kDouble);
    for (size_t k = 0; k < groups.size(); ++k) lrs.data_ptr<double>()[k] = groups[k].options().get_lr();
    archive.write(kLearningRatesKey, lrs);
    std::ostringstream stream;
    archive.save_to(stream);
    const auto bytes = stream.str();
    auto t = at::empty({static_cast<int64_t>(bytes.size())}, at::kByte);
    std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
    return lrnn::wrap(std::move(t));
  }
  LRNN_CATCH(nullptr)
}

// Restores a state saved from an optimizer of the same kind over parameters of the same shapes, in the same
// groups and order, and the groups' learning rates. State tensors return to the devices they were saved from.
LRNN_API int32_t lrnn_optimizer_load(optimizer_t opt, const uint8_t* data, int64_t nbytes) {
  LRNN_STATUS({
    torch::serialize::InputArchive archive;
    archive.load_from(reinterpret_cast<const char*>(data), static_cast<size_t>(nbytes));
    opt->load(archive);
    at::Tensor lrs;
    if (archive.try_read(kLearningRatesKey, lrs)) {
      auto& groups = opt->param_groups();
      LRNN_REQUIRE(lrs.numel() == static_cast<int64_t>(groups.size()), "the saved state has a different number of parameter groups");
      for (size_t k = 0; k < groups.size(); ++k) groups[k].options().set_lr(lrs[static_cast<int64_t>(k)].item<double>());
    }
  });
}

// ---- gradient clipping -------------------------------------------------------------------------------
// torch.nn.utils.clip_grad_norm_: scales all gradients in place so that their joint norm is at most
// max_norm, and returns the joint norm before clipping as a 0-d tensor. Unlike libtorch's version (which
// returns a double) nothing here waits for the device.
LRNN_API tensor_t lrnn_clip_grad_norm_(tensor_t const* params, int64_t n, double max_norm, double norm_type) {
  try {
    lrnn::clear_error();
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int64_t k = 0; k < n; ++k)
      if (params[k]->grad().defined()) grads.push_back(params[k]->grad());
    if (grads.empty()) return lrnn::wrap(at::zeros({}));

    const auto device = grads.front().device();
    std::vector<at::Tensor> norms;
    norms.reserve(grads.size());
    for (const auto& g : grads) norms.push_back(at::linalg_vector_norm(g, norm_type).to(device));
    auto total = at::linalg_vector_norm(at::stack(norms), norm_type);
    // 1e-6 keeps the coefficient finite for zero gradients; clamping to 1 leaves small gradients untouched.
    const auto scale = (max_norm / (total + 1e-6)).clamp_max(1.0);
    for (auto& g : grads) g.mul_(scale.to(g.device()));
    return lrnn::wrap(std::move(total));
  }
  LRNN_CATCH(nullptr)
}
