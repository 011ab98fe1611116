namespace Microsoft.ML.Vae.Torch.Native;

// Mirrors the op-code enums of vaetorch.h; the order must match.
internal enum UnaryOp
{
    Neg, Abs, Exp, Log, Log1p, Expm1, Sqrt, Rsqrt, Square, Sigmoid, Tanh, Relu, Gelu, Sign, Floor, Ceil,
    Round, Reciprocal, Sin, Cos, Erf, LogicalNot, IsNan, IsInf, IsFinite, LogSigmoid, Trunc, Lgamma, Silu,
}

internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, Remainder,
    Atan2, RSub, FloorDivide,
}

internal enum ReduceOp { Sum, Mean, ProdUnused, LogSumExp, AMax, AMin, All, Any }
