"""Opens a GnuCash XML book read-only with GnuCash's own engine (python3-gnucash) and prints every account's
balance, its split count and whether every transaction balances; exit 1 when one does not.

Usage (Debian: apt-get install --no-install-recommends gnucash python3-gnucash; Debian's own /usr/bin/python3):
    /usr/bin/python3 scripts/gnucash-balances.py var/exports/<run-id>/paper.gnucash
"""
import sys

from gnucash import Session, SessionOpenMode


def main(path: str) -> int:
    session = Session('xml://' + path, SessionOpenMode.SESSION_READ_ONLY)
    try:
        transactions = {}

        def walk(account):
            for child in account.get_children_sorted():
                balance = child.GetBalance()
                commodity = child.GetCommodity()
                splits = child.GetSplitList()
                print(f"{child.get_full_name():32} {commodity.get_namespace()}:{commodity.get_mnemonic():10} "
                      f"balance {balance.num()}/{balance.denom()} ({balance.to_double():.8f}), {len(splits)} split(s)")
                for split in splits:
                    transaction = split.GetParent()
                    transactions[transaction.GetGUID().to_string()] = transaction
                walk(child)

        walk(session.book.get_root_account())
        unbalanced = [t.GetDescription() for t in transactions.values() if not t.IsBalanced()]
        print(f"{len(transactions)} transaction(s), {len(unbalanced)} unbalanced{': ' + '; '.join(unbalanced) if unbalanced else ''}")
        return 1 if unbalanced else 0
    finally:
        session.end()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
