using Attend.Cli.Commands;
using Attend.Cli.Hosting;

return Cli.Run(args, CliContext.Console, CommandRegistry.All);
