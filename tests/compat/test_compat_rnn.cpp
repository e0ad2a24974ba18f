// torch::nn::LSTM / GRU / RNN and the cells, as libtorch code writes them.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include <sstream>

TEST(CompatRnn, LstmGruRnnAndCellsAsLibtorchCodeWritesThem) {
  torch::manual_seed(0);
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(8, 16).num_layers(2).batch_first(true).bidirectional(true).dropout(0.1).bias(true));
  auto x = torch::randn({4, 10, 8});
  auto h0 = torch::zeros({4, 4, 16}), c0 = torch::zeros({4, 4, 16});
  std::tuple<torch::Tensor, std::tuple<torch::Tensor, torch::Tensor>> r = lstm->forward(x, std::make_tuple(h0, c0));
  torch::Tensor output = std::get<0>(r);
  torch::Tensor h_n = std::get<0>(std::get<1>(r));
  EXPECT_EQ(output.sizes(), torch::IntArrayRef({4, 10, 32}));
  EXPECT_EQ(h_n.sizes(), torch::IntArrayRef({4, 4, 16}));
  EXPECT_EQ(lstm->named_parameters()["weight_ih_l1_reverse"].sizes(), torch::IntArrayRef({64, 32}));
  output.sum().backward();
  EXPECT_TRUE(lstm->named_parameters()["bias_hh_l0"].grad().defined());

  torch::nn::GRU gru(torch::nn::GRUOptions(8, 16));
  auto [go, gh] = gru->forward(torch::randn({10, 3, 8}));
  EXPECT_EQ(gh.sizes(), torch::IntArrayRef({1, 3, 16}));

  torch::nn::RNN rnn(torch::nn::RNNOptions(8, 16).nonlinearity(torch::kReLU).num_layers(2));
  auto [ro, rh] = rnn->forward(torch::randn({10, 3, 8}));
  EXPECT_GE(ro.min().item<float>(), 0.0f);

  torch::nn::LSTMCell cell(8, 16);
  auto [h, c] = cell->forward(torch::randn({3, 8}));
  EXPECT_EQ(c.sizes(), torch::IntArrayRef({3, 16}));
  torch::nn::GRUCell gcell(torch::nn::GRUCellOptions(8, 16).bias(false));
  EXPECT_EQ(gcell->forward(torch::randn({3, 8}), h).sizes(), torch::IntArrayRef({3, 16}));
  torch::nn::RNNCell rcell(torch::nn::RNNCellOptions(8, 16).nonlinearity(torch::kTanh));
  EXPECT_EQ(rcell->forward(torch::randn({8})).sizes(), torch::IntArrayRef({16}));

  // ATen's form with the module's weights (eval: no dropout).
  lstm->eval();
  auto out = torch::lstm(x.transpose(0, 1), {h0, c0}, lstm->all_weights(), true, 2, 0.1, false, true, false);
  EXPECT_TRUE(std::get<0>(out).transpose(0, 1).allclose(std::get<0>(lstm->forward(x, std::make_tuple(h0, c0)))));

  std::ostringstream s;
  s << *gru;
  EXPECT_EQ(s.str(), "torch::nn::GRU(input_size=8, hidden_size=16, num_layers=1, bias=true, batch_first=false, "
                     "dropout=0, bidirectional=false)");
}
