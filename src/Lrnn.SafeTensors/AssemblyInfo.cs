namespace Lrnn.SafeTensors;
