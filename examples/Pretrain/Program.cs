Console.WriteLine("examples/Pretrain: arrives with the pretraining issue.");
