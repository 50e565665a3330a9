package agentmsg.cli;

import agentmsg.AgentMessenger;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.Options;

/** {@code group create|add|remove|delete|list}: named groups of agents for {@code send @group}. */
final class GroupCommand extends Command {
  @Override
  String name() {
    return "group";
  }

  @Override
  String arguments() {
    return "create|add|remove|delete|list [name] [agent...]";
  }

  @Override
  String summary() {
    return "Manage groups of agents: send @<group> sends one copy to each member but you";
  }

  @Override
  String details() {
    return """
          group create <name> <agent>...   a new group of registered agents
          group add <name> <agent>...      add members
          group remove <name> <agent>...   remove members
          group delete <name>              delete the group (messages stay)
          group list [name]                every group, or one group's members
        Group names follow the agent-name rule; 'all' is reserved (send @all).""";
  }

  @Override
  Options options() {
    return withDatabase(new Options());
  }

  @Override
  int run(Invocation invocation) {
    List<String> args = invocation.positional();
    if (args.isEmpty()) {
      throw new UsageException("missing action: create, add, remove, delete or list");
    }
    String action = args.get(0);
    String name = args.size() > 1 ? args.get(1) : null;
    List<String> members = args.size() > 2 ? args.subList(2, args.size()) : List.of();
    PrintStream out = invocation.out();
    try (AgentMessenger messenger = invocation.managingMessenger(null)) {
      switch (action) {
        case "create" -> {
          requireMembers(name, members);
          messenger.createGroup(name, members);
          print(invocation, name, messenger.groupMembers(name), "Created group ");
        }
        case "add" -> {
          requireMembers(name, members);
          messenger.addToGroup(name, members);
          print(invocation, name, messenger.groupMembers(name), "Group ");
        }
        case "remove" -> {
          requireMembers(name, members);
          messenger.removeFromGroup(name, members);
          print(invocation, name, messenger.groupMembers(name), "Group ");
        }
        case "delete" -> {
          if (name == null || !members.isEmpty()) {
            throw new UsageException("use: agent-msg group delete <name>");
          }
          messenger.deleteGroup(name);
          if (invocation.json()) {
            out.println("{\"group\":\"" + name + "\",\"deleted\":true}");
          } else {
            out.println("Deleted group " + name);
          }
        }
        case "list" -> {
          invocation.allowPositional(2);
          Map<String, List<String>> groups =
              name == null ? messenger.groups() : Map.of(name, messenger.groupMembers(name));
          if (groups.isEmpty() && !invocation.json()) {
            out.println("No groups (create one with: agent-msg group create <name> <agent>...)");
          }
          for (Map.Entry<String, List<String>> group : groups.entrySet()) {
            print(invocation, group.getKey(), group.getValue(), "");
          }
        }
        default ->
            throw new UsageException(
                "unknown action '" + action + "': use create, add, remove, delete or list");
      }
    }
    return ExitCodes.OK;
  }

  private static void requireMembers(String name, List<String> members) {
    if (name == null || members.isEmpty()) {
      throw new UsageException("give a group name and at least one agent");
    }
  }

  private static void print(Invocation invocation, String name, List<String> members, String verb) {
    if (invocation.json()) {
      // Group and agent names follow the name rule: nothing in them needs escaping.
      invocation
          .out()
          .println(
              "{\"group\":\""
                  + name
                  + "\",\"members\":["
                  + (members.isEmpty() ? "" : "\"" + String.join("\",\"", members) + "\"")
                  + "]}");
    } else {
      invocation.out().println(verb + name + ": " + String.join(", ", members));
    }
  }
}
