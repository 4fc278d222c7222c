-- Question: How many customers are repeat customers?
-- Description: Customers with at least two orders that count for revenue, and their share of all buying customers.
WITH per_customer AS (
    SELECT customer_id, COUNT(*) AS order_count
    FROM orders
    WHERE status NOT IN ('cancelled', 'returned')
    GROUP BY customer_id
)
SELECT COUNT(*) AS buying_customers,
       SUM(CASE WHEN order_count >= 2 THEN 1 ELSE 0 END) AS repeat_customers,
       ROUND(100.0 * SUM(CASE WHEN order_count >= 2 THEN 1 ELSE 0 END) / COUNT(*), 2) AS repeat_rate_pct
FROM per_customer;
