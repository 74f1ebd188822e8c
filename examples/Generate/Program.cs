Console.WriteLine("examples/Generate: arrives with the LrnnLMHeadModel issue.");
