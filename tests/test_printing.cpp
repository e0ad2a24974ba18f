// Printing: exact PyTorch strings (precision 4, threshold 1000, edgeitems 3, linewidth 80).
// The expected strings are what PyTorch's _tensor_str.py prints for the same values, with
// "torch." spelled "ember.".
#include <sstream>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

struct Case {
  const char* name;
  std::function<Tensor()> make;
  const char* expected;
};

}  // namespace

TEST(Printing, MatchesPyTorch) {
  const Case cases[] = {
      {"f1", [] { return tensor({1.5, 2.25, 3.0}); },
       "tensor([1.5000, 2.2500, 3.0000])"},
      {"f2", [] { return tensor({{1.5, -2.25}, {3.0, 4.125}}); },
       "tensor([[ 1.5000, -2.2500],\n        [ 3.0000,  4.1250]])"},
      {"f3", [] { return (arange(24, dtype(kFloat32)) / 4).view({2, 3, 4}); },
       "tensor([[[0.0000, 0.2500, 0.5000, 0.7500],\n         [1.0000, 1.2500, 1.5000, 1.7500],\n         [2.0000, 2.2500, 2.5000, 2.7500]],\n\n        [[3.0000, 3.2500, 3.5000, 3.7500],\n         [4.0000, 4.2500, 4.5000, 4.7500],\n         [5.0000, 5.2500, 5.5000, 5.7500]]])"},
      {"int_mode1", [] { return tensor({1., 2.}); },
       "tensor([1., 2.])"},
      {"int_mode2", [] { return tensor({-1., 100., 0.}); },
       "tensor([ -1., 100.,   0.])"},
      {"int_mode3", [] { return tensor({{1., -2.}, {300., 4.}}); },
       "tensor([[  1.,  -2.],\n        [300.,   4.]])"},
      {"sci1", [] { return tensor({1., 2000.}); },
       "tensor([1.0000e+00, 2.0000e+03])"},
      {"sci2", [] { return tensor({1e-5, 1.}); },
       "tensor([1.0000e-05, 1.0000e+00])"},
      {"sci3", [] { return tensor({1e9, 1.}); },
       "tensor([1.0000e+09, 1.0000e+00])"},
      {"sci4", [] { return tensor({0.5, 12345.678}); },
       "tensor([5.0000e-01, 1.2346e+04])"},
      {"sci5", [] { return tensor({-1e-5, 3.}); },
       "tensor([-1.0000e-05,  3.0000e+00])"},
      {"sci6", [] { return tensor({{1e-7, 2.5e3}, {-3., 0.}}); },
       "tensor([[ 1.0000e-07,  2.5000e+03],\n        [-3.0000e+00,  0.0000e+00]])"},
      {"nonfinite1", [] { return tensor({kNaN, kInf, -kInf, 1.5}); },
       "tensor([   nan,    inf,   -inf, 1.5000])"},
      {"nonfinite2", [] { return tensor({1., kInf}); },
       "tensor([1., inf])"},
      {"nonfinite3", [] { return tensor({kNaN}); },
       "tensor([nan])"},
      {"nonfinite4", [] { return tensor({kNaN, 1e-6, 1.}); },
       "tensor([       nan, 1.0000e-06, 1.0000e+00])"},
      {"zeros", [] { return tensor({0., 0.}); },
       "tensor([0., 0.])"},
      {"negzero", [] { return tensor({-0., 1.}); },
       "tensor([-0., 1.])"},
      {"ints1", [] { return tensor({1, 2, 3}); },
       "tensor([1, 2, 3])"},
      {"ints2", [] { return tensor({{-10, 200}, {3, 4}}); },
       "tensor([[-10, 200],\n        [  3,   4]])"},
      {"int32", [] { return tensor({1, 2}, dtype(kInt32)); },
       "tensor([1, 2], dtype=ember.int32)"},
      {"uint8", [] { return tensor({0, 255}, dtype(kUInt8)); },
       "tensor([  0, 255], dtype=ember.uint8)"},
      {"int8", [] { return tensor({-128, 5}, dtype(kInt8)); },
       "tensor([-128,    5], dtype=ember.int8)"},
      {"bool1", [] { return tensor({true, false}); },
       "tensor([ True, False])"},
      {"bool2", [] { return tensor({{true}, {false}}); },
       "tensor([[ True],\n        [False]])"},
      {"f64", [] { return tensor({1.5, 2.}, dtype(kFloat64)); },
       "tensor([1.5000, 2.0000], dtype=ember.float64)"},
      {"f64int", [] { return tensor({1., 2.}, dtype(kFloat64)); },
       "tensor([1., 2.], dtype=ember.float64)"},
      {"f16", [] { return tensor({0.1, 2.}, dtype(kFloat16)); },
       "tensor([0.1000, 2.0000], dtype=ember.float16)"},
      {"bf16", [] { return tensor({0.1, 2.}, dtype(kBFloat16)); },
       "tensor([0.1001, 2.0000], dtype=ember.bfloat16)"},
      {"empty1", [] { return zeros({0}); },
       "tensor([])"},
      {"empty2", [] { return zeros({0, 3}); },
       "tensor([], size=(0, 3))"},
      {"empty3", [] { return zeros({0}, dtype(kInt64)); },
       "tensor([], dtype=ember.int64)"},
      {"empty4", [] { return zeros({2, 0, 3}, dtype(kFloat64)); },
       "tensor([], size=(2, 0, 3), dtype=ember.float64)"},
      {"empty5", [] { return zeros({0}, dtype(kBool)); },
       "tensor([], dtype=ember.bool)"},
      {"scalar1", [] { return scalar_tensor(3.5); },
       "tensor(3.5000)"},
      {"scalar2", [] { return scalar_tensor(3); },
       "tensor(3)"},
      {"scalar3", [] { return scalar_tensor(2.); },
       "tensor(2.)"},
      {"scalar4", [] { return scalar_tensor(1.5, dtype(kFloat64)); },
       "tensor(1.5000, dtype=ember.float64)"},
      {"scalar5", [] { return scalar_tensor(true); },
       "tensor(True)"},
      {"scalar6", [] { return scalar_tensor(1e-5); },
       "tensor(1.0000e-05)"},
      {"scalar7", [] { return scalar_tensor(kNaN); },
       "tensor(nan)"},
      {"sum1", [] { return arange(2000, dtype(kFloat32)); },
       "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])"},
      {"sum2", [] { return arange(1001); },
       "tensor([   0,    1,    2,  ...,  998,  999, 1000])"},
      {"sum3", [] { return (arange(1200, dtype(kFloat32)) / 8).view({40, 30}); },
       "tensor([[0.0000e+00, 1.2500e-01, 2.5000e-01,  ..., 3.3750e+00, 3.5000e+00,\n         3.6250e+00],\n        [3.7500e+00, 3.8750e+00, 4.0000e+00,  ..., 7.1250e+00, 7.2500e+00,\n         7.3750e+00],\n        [7.5000e+00, 7.6250e+00, 7.7500e+00,  ..., 1.0875e+01, 1.1000e+01,\n         1.1125e+01],\n        ...,\n        [1.3875e+02, 1.3888e+02, 1.3900e+02,  ..., 1.4212e+02, 1.4225e+02,\n         1.4238e+02],\n        [1.4250e+02, 1.4262e+02, 1.4275e+02,  ..., 1.4588e+02, 1.4600e+02,\n         1.4612e+02],\n        [1.4625e+02, 1.4638e+02, 1.4650e+02,  ..., 1.4962e+02, 1.4975e+02,\n         1.4988e+02]])"},
      {"sum4", [] { return arange(2000).view({20, 10, 10}); },
       "tensor([[[   0,    1,    2,  ...,    7,    8,    9],\n         [  10,   11,   12,  ...,   17,   18,   19],\n         [  20,   21,   22,  ...,   27,   28,   29],\n         ...,\n         [  70,   71,   72,  ...,   77,   78,   79],\n         [  80,   81,   82,  ...,   87,   88,   89],\n         [  90,   91,   92,  ...,   97,   98,   99]],\n\n        [[ 100,  101,  102,  ...,  107,  108,  109],\n         [ 110,  111,  112,  ...,  117,  118,  119],\n         [ 120,  121,  122,  ...,  127,  128,  129],\n         ...,\n         [ 170,  171,  172,  ...,  177,  178,  179],\n         [ 180,  181,  182,  ...,  187,  188,  189],\n         [ 190,  191,  192,  ...,  197,  198,  199]],\n\n        [[ 200,  201,  202,  ...,  207,  208,  209],\n         [ 210,  211,  212,  ...,  217,  218,  219],\n         [ 220,  221,  222,  ...,  227,  228,  229],\n         ...,\n         [ 270,  271,  272,  ...,  277,  278,  279],\n         [ 280,  281,  282,  ...,  287,  288,  289],\n         [ 290,  291,  292,  ...,  297,  298,  299]],\n\n        ...,\n\n        [[1700, 1701, 1702,  ..., 1707, 1708, 1709],\n         [1710, 1711, 1712,  ..., 1717, 1718, 1719],\n         [1720, 1721, 1722,  ..., 1727, 1728, 1729],\n         ...,\n         [1770, 1771, 1772,  ..., 1777, 1778, 1779],\n         [1780, 1781, 1782,  ..., 1787, 1788, 1789],\n         [1790, 1791, 1792,  ..., 1797, 1798, 1799]],\n\n        [[1800, 1801, 1802,  ..., 1807, 1808, 1809],\n         [1810, 1811, 1812,  ..., 1817, 1818, 1819],\n         [1820, 1821, 1822,  ..., 1827, 1828, 1829],\n         ...,\n         [1870, 1871, 1872,  ..., 1877, 1878, 1879],\n         [1880, 1881, 1882,  ..., 1887, 1888, 1889],\n         [1890, 1891, 1892,  ..., 1897, 1898, 1899]],\n\n        [[1900, 1901, 1902,  ..., 1907, 1908, 1909],\n         [1910, 1911, 1912,  ..., 1917, 1918, 1919],\n         [1920, 1921, 1922,  ..., 1927, 1928, 1929],\n         ...,\n         [1970, 1971, 1972,  ..., 1977, 1978, 1979],\n         [1980, 1981, 1982,  ..., 1987, 1988, 1989],\n         [1990, 1991, 1992,  ..., 1997, 1998, 1999]]])"},
      {"sum5", [] { return arange(1001, dtype(kFloat32)) / 1000; },
       "tensor([0.0000, 0.0010, 0.0020,  ..., 0.9980, 0.9990, 1.0000])"},
      {"wrap1", [] { return arange(30, dtype(kFloat32)) / 7; },
       "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n        3.8571, 4.0000, 4.1429])"},
      {"wrap2", [] { return arange(100); },
       "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,\n        36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53,\n        54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71,\n        72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89,\n        90, 91, 92, 93, 94, 95, 96, 97, 98, 99])"},
      {"wrap3", [] { return (arange(40, dtype(kFloat32)) / 3).view({2, 20}); },
       "tensor([[ 0.0000,  0.3333,  0.6667,  1.0000,  1.3333,  1.6667,  2.0000,  2.3333,\n          2.6667,  3.0000,  3.3333,  3.6667,  4.0000,  4.3333,  4.6667,  5.0000,\n          5.3333,  5.6667,  6.0000,  6.3333],\n        [ 6.6667,  7.0000,  7.3333,  7.6667,  8.0000,  8.3333,  8.6667,  9.0000,\n          9.3333,  9.6667, 10.0000, 10.3333, 10.6667, 11.0000, 11.3333, 11.6667,\n         12.0000, 12.3333, 12.6667, 13.0000]])"},
      {"wrap4", [] { return arange(25, dtype(kFloat64)) * 1000.5; },
       "tensor([    0.0000,  1000.5000,  2001.0000,  3001.5000,  4002.0000,  5002.5000,\n         6003.0000,  7003.5000,  8004.0000,  9004.5000, 10005.0000, 11005.5000,\n        12006.0000, 13006.5000, 14007.0000, 15007.5000, 16008.0000, 17008.5000,\n        18009.0000, 19009.5000, 20010.0000, 21010.5000, 22011.0000, 23011.5000,\n        24012.0000], dtype=ember.float64)"},
      {"grad1", [] { return ones({2}, requires_grad(true)); },
       "tensor([1., 1.], requires_grad=True)"},
      {"grad2", [] { return ones({2}, dtype(kFloat64).requires_grad(true)); },
       "tensor([1., 1.], dtype=ember.float64, requires_grad=True)"},
      {"rg12", [] { return ones({12}, requires_grad(true)); },
       "tensor([1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1.], requires_grad=True)"},
      {"rg13", [] { return ones({13}, requires_grad(true)); },
       "tensor([1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1.],\n       requires_grad=True)"},
      {"i32wrap", [] { return arange(30, dtype(kInt32)); },
       "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29], dtype=ember.int32)"},
      {"bigint", [] { return tensor({int64_t{1} << 40, int64_t{-3}}); },
       "tensor([1099511627776,            -3])"},
      {"t2", [] { return tensor({{1.5, -2.25}, {3.0, 4.125}}).t(); },
       "tensor([[ 1.5000,  3.0000],\n        [-2.2500,  4.1250]])"},
      {"suffix1", [] { return arange(1, dtype(kFloat64)) / 3; },
       "tensor([0.], dtype=ember.float64)"},
      {"suffix2", [] { return arange(2, dtype(kFloat64)) / 3; },
       "tensor([0.0000, 0.3333], dtype=ember.float64)"},
      {"suffix3", [] { return arange(3, dtype(kFloat64)) / 3; },
       "tensor([0.0000, 0.3333, 0.6667], dtype=ember.float64)"},
      {"suffix4", [] { return arange(4, dtype(kFloat64)) / 3; },
       "tensor([0.0000, 0.3333, 0.6667, 1.0000], dtype=ember.float64)"},
      {"suffix5", [] { return arange(5, dtype(kFloat64)) / 3; },
       "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333], dtype=ember.float64)"},
      {"suffix6", [] { return arange(6, dtype(kFloat64)) / 3; },
       "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667], dtype=ember.float64)"},
      {"suffix7", [] { return arange(7, dtype(kFloat64)) / 3; },
       "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000],\n       dtype=ember.float64)"},
      {"suffix8", [] { return arange(8, dtype(kFloat64)) / 3; },
       "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333],\n       dtype=ember.float64)"},
      {"suffix9", [] { return arange(9, dtype(kFloat64)) / 3; },
       "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667],\n       dtype=ember.float64)"},
      {"suffix10", [] { return arange(10, dtype(kFloat64)) / 3; },
       "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n        3.0000], dtype=ember.float64)"},
      {"suffix11", [] { return arange(11, dtype(kFloat64)) / 3; },
       "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n        3.0000, 3.3333], dtype=ember.float64)"},
  };
  for (const auto& c : cases) EXPECT_EQ(c.make().toString(), c.expected) << c.name;
}

TEST(Printing, GradFnSuffix) {
  Tensor x = ones({2}, requires_grad(true));
  Tensor y = x * 2;
  ASSERT_TRUE(y.grad_fn());
  EXPECT_EQ(y.toString(), "tensor([2., 2.], grad_fn=<" + y.grad_fn()->name() + ">)");
  // A grad_fn suffix that does not fit goes to its own line, indented like the data.
  Tensor z = ones({13}, requires_grad(true)) * 1;
  EXPECT_EQ(z.toString(), "tensor([1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1.],\n       grad_fn=<" +
                              z.grad_fn()->name() + ">)");
  EXPECT_EQ(y.detach().toString(), "tensor([2., 2.])");
  NoGradGuard g;
  EXPECT_EQ((x * 2).toString(), "tensor([2., 2.])");
}

TEST(Printing, StreamsNonContiguousAndUndefined) {
  Tensor m = tensor({{1.5, -2.25}, {3.0, 4.125}});
  std::ostringstream os;
  os << m.t();
  EXPECT_EQ(os.str(), "tensor([[ 1.5000,  3.0000],\n        [-2.2500,  4.1250]])");
  EXPECT_EQ(tensor({1, 2, 3, 4, 5, 6}).slice(0, 0, 6, 2).toString(), "tensor([1, 3, 5])");
  EXPECT_EQ(scalar_tensor(2.5).expand({3}).toString(), "tensor([2.5000, 2.5000, 2.5000])");
  EXPECT_EQ(Tensor().toString(), "[ Tensor (undefined) ]");
  // The default dtype gets no suffix; float32 does once float64 is the default.
  set_default_dtype(kFloat64);
  std::string as_default = tensor({1.5}).toString(), f32 = tensor({1.5}, dtype(kFloat32)).toString();
  set_default_dtype(kFloat32);
  EXPECT_EQ(as_default, "tensor([1.5000])");
  EXPECT_EQ(f32, "tensor([1.5000], dtype=ember.float32)");
}
