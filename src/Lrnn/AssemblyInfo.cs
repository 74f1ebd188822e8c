namespace Lrnn;
